"""The Container Apps dynamic sessions emulator as a real process, a small HTTP client for it, and Entra-shaped
tokens it accepts (shared by the emulator's tests and the executors' tests)."""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.processes import ServerProcess, free_port, start_python_module

EMULATOR_TOKEN = "local-sessions-emulator-token"
CURRENT_API = "2025-02-02-preview"
LEGACY_API = "2024-02-02-preview"
HOST_SECRET = "host-secret-value-that-must-never-reach-code"


def entra_shaped_token(audience: str = "https://dynamicsessions.io", lifetime: float = 3600) -> tuple[str, int]:
    """An unsigned JWT with the claims of an Entra token for the sessions data plane; returns it and its expiry."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    expires = int(time.time() + lifetime)
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part({'aud': audience, 'exp': expires})}.", expires


@dataclass
class Reply:
    """An HTTP reply: status, headers, body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class SessionsEmulator:
    """A running sessions emulator."""

    process: ServerProcess
    data_dir: Path

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.process.port}/"

    def call(
        self,
        method: str,
        path: str,
        identifier: str | None = "test-session",
        *,
        body: Any = None,
        raw: bytes | None = None,
        content_type: str = "application/json",
        api_version: str = CURRENT_API,
        token: str | None = EMULATOR_TOKEN,
        query: str = "",
    ) -> Reply:
        """Send one request; never raises on HTTP error statuses."""
        params = f"api-version={api_version}" + (f"&identifier={identifier}" if identifier is not None else "") + query
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(f"{self.endpoint}{path}?{params}", data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                return Reply(reply.status, dict(reply.headers), reply.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers), error.read())

    def execute(self, code: str, identifier: str = "test-session", **extra: Any) -> dict[str, Any]:
        """POST /executions and return the JSON reply (asserting 200)."""
        reply = self.call("POST", "executions", identifier, body={"code": code, **extra})
        assert reply.status == 200, reply.body
        result: dict[str, Any] = reply.json()
        return result

    def upload(self, name: str, data: bytes, identifier: str = "test-session", path: str = "files") -> Reply:
        """Multipart upload of one file in the field `file`."""
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.call("POST", path, identifier, raw=body, content_type=f"multipart/form-data; boundary={boundary}")

    def session_count(self) -> int:
        with urllib.request.urlopen(f"{self.endpoint}health", timeout=10) as reply:
            return int(json.loads(reply.read())["sessions"])


def start_sessions_emulator(directory: Path, *args: str, name: str = "sessions") -> SessionsEmulator:
    """Start `python -m local_emulators sessions` on a free port, with a secret in its environment."""
    port = free_port()
    data_dir = directory / f"{name}-data"
    process = start_python_module(
        "local_emulators",
        ["sessions", "--port", str(port), "--data-dir", str(data_dir), *args],
        port=port,
        log_path=directory / f"{name}.log",
        env={"SESSIONS_TEST_API_KEY": HOST_SECRET, "AZURE_CLIENT_SECRET": HOST_SECRET},
    )
    return SessionsEmulator(process, data_dir)
