"""The Cosmos emulator as a real process on a free port: start it, reach it, drive its control plane."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.support.processes import ServerProcess, free_port, start_python_module

KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="


@dataclass
class Emulator:
    """A running emulator process and how to reach it."""

    process: ServerProcess
    data_dir: Path
    key: str = KEY

    @property
    def port(self) -> int:
        return self.process.port

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def https(self) -> str:
        return f"https://127.0.0.1:{self.port}/"

    def control(self, action: str, payload: dict[str, object] | None = None) -> dict[str, object]:
        """Call the control plane (`/_emulator/<action>`); POST when a payload is given."""
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(f"{self.http}_emulator/{action}", data=data, method="POST" if data else "GET")
        with urllib.request.urlopen(request, timeout=10) as response:
            result: dict[str, object] = json.loads(response.read())
            return result


def _health_ok(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/health", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def start_emulator(data_dir: Path, *extra: str, port: int | None = None) -> Emulator:
    """Start `python -m local_emulators.cosmos` on a free port and wait for its health endpoint."""
    chosen = port or free_port()
    process = start_python_module(
        "local_emulators.cosmos",
        ["--port", str(chosen), "--data-dir", str(data_dir), *extra],
        port=chosen,
        log_path=data_dir.parent / f"{data_dir.name}-{chosen}.log",
        ready=lambda: _health_ok(chosen),
    )
    return Emulator(process=process, data_dir=data_dir)
