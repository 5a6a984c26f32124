"""`ACADynamicSessionsCodeExecutor`: Python runs in an Azure Container Apps dynamic session, over the current API.

One session identifier per run (pass the run's, so the session's variables and files survive a host restart; the
default is a random one); the session is stateful (Jupyter semantics: variables persist, a trailing expression's
value is part of the output); files move with `upload_file`, `download_file`, `list_files`, `delete_file`. The
bearer token is an Entra token for https://dynamicsessions.io from azure-identity (`DefaultAzureCredential` unless
one is given), refreshed before expiry — or, against the local emulator, its static token.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Sequence
from types import TracebackType
from typing import Any
from urllib.parse import quote

import aiohttp
from azure.core.credentials import TokenCredential
from azure.core.credentials_async import AsyncTokenCredential

from switchboard.agent import CancellationToken
from switchboard.code_execution.aca.client import SessionsClient
from switchboard.code_execution.aca.tokens import TokenSource
from switchboard.code_execution.errors import (
    ExecutorNotStartedError,
    InvalidCodeRequestError,
)
from switchboard.code_execution.protocol import CANCELLED_EXIT_CODE, TIMEOUT_EXIT_CODE, CodeBlock, CodeFile, CodeResult
from switchboard.code_execution.validation import validate_blocks

MAX_TIMEOUT_SECONDS = 220
"""The data plane's longest execution."""
PYTHON_LANGUAGES = frozenset({"python", "py", "python3"})
_IDENTIFIER = re.compile(r"^[A-Za-z0-9|\-&^%$#(){}\[\];<>]{4,120}$")


class ACADynamicSessionsCodeExecutor:
    """Runs Python code blocks in one Azure Container Apps dynamic session.

    Args:
        pool_management_endpoint: The session pool's management endpoint (`ACA_SESSIONS_ENDPOINT`).
        credential: An azure-identity credential, async or sync; default `DefaultAzureCredential`.
        static_token: A fixed bearer token instead (the local emulator's `ACA_SESSIONS_TOKEN`).
        session_id: The session identifier, 4-120 characters (use the run id); default a random one.
        timeout: Seconds a block may run (at most 220); a block stopped by it gives exit code 124.
        max_code_bytes: Largest block accepted; larger ones raise `CodeTooLargeError` before anything runs.
        track_files: Report the files each execution created or changed (two extra listing calls).
    """

    def __init__(
        self,
        pool_management_endpoint: str,
        *,
        credential: AsyncTokenCredential | TokenCredential | None = None,
        static_token: str | None = None,
        session_id: str | None = None,
        timeout: float = 60.0,
        max_code_bytes: int = 1024 * 1024,
        track_files: bool = True,
    ) -> None:
        if not 0 < timeout <= MAX_TIMEOUT_SECONDS:
            raise InvalidCodeRequestError(f"timeout must be in (0, {MAX_TIMEOUT_SECONDS}] seconds")
        session_id = session_id or f"sb-{uuid.uuid4()}"
        if not _IDENTIFIER.match(session_id):
            raise InvalidCodeRequestError("session_id must be 4-120 characters: letters, digits and |-&^%$#(){}[];<>")
        self._endpoint = pool_management_endpoint
        owns = credential is None and static_token is None
        if owns:
            from azure.identity.aio import DefaultAzureCredential  # only when no token source was given

            credential = DefaultAzureCredential()
        self.tokens = TokenSource(credential, static_token=static_token, owns_credential=owns)
        self._base_session_id = session_id
        self._generation = 0
        self.timeout = timeout
        self.max_code_bytes = max_code_bytes
        self.track_files = track_files
        self._http: aiohttp.ClientSession | None = None
        self._client: SessionsClient | None = None

    @property
    def session_id(self) -> str:
        """The current session identifier (the given one, suffixed after each `restart`)."""
        return self._base_session_id if self._generation == 0 else f"{self._base_session_id}-{self._generation}"

    def _require(self) -> SessionsClient:
        if self._client is None:
            raise ExecutorNotStartedError("the executor is not started: use 'async with' or call start()")
        return self._client

    async def start(self) -> None:
        """Open the HTTP connection pool (the session itself is allocated by the service on first use)."""
        if self._http is None:
            self._http = aiohttp.ClientSession()
            self._client = SessionsClient(self._endpoint, self.tokens, self._http)

    async def stop(self) -> None:
        """Close connections (the session lives on until the pool's cooldown); idempotent."""
        if self._http is not None:
            await self._http.close()
        self._http = self._client = None
        await self.tokens.close()

    async def restart(self) -> None:
        """Move to a fresh session (no variables, no files); the identifier gets a new, deterministic suffix."""
        self._generation += 1

    async def __aenter__(self) -> ACADynamicSessionsCodeExecutor:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc_val: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        await self.stop()

    def _validate(self, code_blocks: Sequence[CodeBlock]) -> None:
        validate_blocks(code_blocks, PYTHON_LANGUAGES, self.max_code_bytes, " by a Python session pool; use python")

    async def execute_code_blocks(
        self, code_blocks: Sequence[CodeBlock], cancellation_token: CancellationToken
    ) -> CodeResult:
        """Run the blocks in order in the session, stopping at the first that fails.

        Every block is checked before any is sent, so a bad one changes nothing.

        Args:
            code_blocks: Python blocks.
            cancellation_token: Cancelling it abandons the running request (exit code 125).

        Returns:
            Exit code (0, 1 on an exception, 124 on timeout, 125 on cancellation), output (stdout, stderr and the
            trailing expression's value) and the files created or changed.

        Raises:
            UnsupportedLanguageError: A block is not Python.
            CodeTooLargeError: A block is over `max_code_bytes` (or the pool's own limit).
            SessionsAuthError: The pool refused the token.
            SessionsUnavailableError: The pool is unreachable or overloaded (transient).
        """
        client = self._require()
        self._validate(code_blocks)
        before = await self.list_files() if self.track_files else []
        outputs: list[str] = []
        exit_code = 0
        for block in code_blocks:
            request = asyncio.ensure_future(self._execute(client, block.code))

            def abandon(request: asyncio.Future[dict[str, Any]] = request) -> None:
                request.cancel()

            cancellation_token.add_callback(abandon)
            try:
                execution = await request
            except asyncio.CancelledError:
                if not cancellation_token.is_cancelled:
                    raise
                outputs.append("\nCancelled\n")
                exit_code = CANCELLED_EXIT_CODE
                break
            finally:
                cancellation_token.remove_callback(abandon)
            output, exit_code = self._outcome(execution)
            outputs.append(output)
            if exit_code != 0:
                break
        after = await self.list_files() if self.track_files else []
        known = {(f.name, f.size) for f in before}
        return CodeResult(exit_code, "".join(outputs), [f for f in after if (f.name, f.size) not in known])

    async def _execute(self, client: SessionsClient, code: str) -> dict[str, Any]:
        body = {
            "codeInputType": "Inline",
            "executionType": "Synchronous",
            "code": code,
            "timeoutInSeconds": max(1, round(self.timeout)),
        }
        reply: dict[str, Any] = await client.request_json(
            "POST", "executions", self.session_id, json_body=body, seconds=self.timeout + 30
        )
        return reply

    def _outcome(self, execution: dict[str, Any]) -> tuple[str, int]:
        result = execution.get("result") or {}
        output = str(result.get("stdout") or "") + str(result.get("stderr") or "")
        value = result.get("executionResult")
        if value not in (None, ""):
            output += str(value)
        if execution.get("status") == "Succeeded":
            return output, 0
        took = float(result.get("executionTimeInMilliseconds") or 0) / 1000
        return output, TIMEOUT_EXIT_CODE if took >= self.timeout else 1

    async def list_files(self, path: str = "") -> list[CodeFile]:
        """The files in the session's /mnt/data (or a directory under it), sorted by name."""
        client = self._require()
        reply = await client.request_json("GET", "files", self.session_id, query={"path": path} if path else None)
        prefix = f"{path.strip('/')}/" if path.strip("/") else ""
        files = [
            CodeFile(prefix + str(entry["name"]), int(entry.get("sizeInBytes") or 0))
            for entry in reply.get("value", [])
            if entry.get("type", "file") == "file"
        ]
        return sorted(files, key=lambda f: f.name)

    async def upload_file(self, name: str, content: bytes) -> CodeFile:
        """Put `content` at /mnt/data/`name` in the session (replacing a file of that name)."""
        form = aiohttp.FormData()
        form.add_field("file", content, filename=name, content_type="application/octet-stream")
        entry = await self._require().request_json("POST", "files", self.session_id, data=form, seconds=120)
        return CodeFile(str(entry.get("name", name)), int(entry.get("sizeInBytes") or len(content)))

    async def download_file(self, name: str) -> bytes:
        """The content of /mnt/data/`name`.

        Raises:
            CodeFileNotFoundError: No such file.
        """
        return await self._require().request("GET", f"files/{quote(name, safe='')}/content", self.session_id)

    async def delete_file(self, name: str) -> None:
        """Delete /mnt/data/`name`.

        Raises:
            CodeFileNotFoundError: No such file (nothing changed).
        """
        await self._require().request("DELETE", f"files/{quote(name, safe='')}", self.session_id)
