"""Fixtures: the Service Bus emulator and `python -m switchboard host` on the toy app, both as real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import REPO_ROOT, ServerProcess, free_port, port_open, start_python_module

HERE = Path(__file__).parent
TOY_APP = HERE / "toy_app"
SB_CONFIG = HERE / "servicebus.jsonc"
HOST_KEY = "toy-host-key"


def connection_string(port: int) -> str:
    """The emulator's connection string on ``port``."""
    return (
        f"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=RootManageSharedAccessKey;"
        "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;"
    )


@dataclass
class ToyHost:
    """A running `switchboard host` on the toy app and the file its functions write to."""

    process: ServerProcess
    output: Path
    connection_string: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.process.port}/api"

    def records(self, **match: Any) -> list[dict[str, Any]]:
        """The lines the toy functions wrote, filtered by equal fields."""
        if not self.output.exists():
            return []
        rows = [json.loads(line) for line in self.output.read_text().splitlines() if line.strip()]
        return [row for row in rows if all(row.get(k) == v for k, v in match.items())]

    def wait_records(self, count: int, timeout: float = 30.0, **match: Any) -> list[dict[str, Any]]:
        """Wait until at least ``count`` matching lines exist (then return them all); fail with the log if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.records(**match)
            if len(rows) >= count:
                return rows
            time.sleep(0.05)
        raise AssertionError(f"{count} records {match} not written; got {self.records(**match)}\n{self.process.log()}")


def start_emulator(tmp: Path) -> ServerProcess:
    """The Service Bus emulator with the toy entities."""
    port, control = free_port(), free_port()
    args = ["--port", str(port), "--control-port", str(control), "--config", str(SB_CONFIG)]
    return start_python_module(
        "local_emulators.servicebus", args, port=port, log_path=tmp / "servicebus.log", ready=lambda: port_open(port)
    )


def start_host(
    tmp: Path,
    sb_port: int,
    *,
    name: str = "host",
    extra_args: tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
) -> ToyHost:
    """`python -m switchboard host` on the toy app (settings: environment over the app's local.settings.json)."""
    port = free_port()
    output = tmp / f"{name}-records.jsonl"
    env = {
        "ToyServiceBus": connection_string(sb_port),
        "TOY_OUTPUT": str(output),
        "TOY_LABEL": "from-env",
        "SWITCHBOARD_HOST_KEY": HOST_KEY,
        **(extra_env or {}),
    }
    process = start_python_module(
        "switchboard",
        ["host", "--port", str(port), "--script-root", str(TOY_APP), *extra_args],
        port=port,
        log_path=tmp / f"{name}.log",
        env=env,
        timeout=30,
    )
    return ToyHost(process=process, output=output, connection_string=connection_string(sb_port))


def stop_gracefully(process: ServerProcess, timeout: float = 30) -> int:
    """SIGTERM and wait for the exit code."""
    process.popen.send_signal(signal.SIGTERM)
    return process.popen.wait(timeout=timeout)


def run_host_once(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m switchboard host ...` expecting it to exit by itself (start-up errors)."""
    return subprocess.run(
        [sys.executable, "-m", "switchboard", "host", *args],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One emulator per test module."""
    process = start_emulator(tmp_path_factory.mktemp("sb"))
    yield process
    process.stop()


@pytest.fixture(scope="module")
def toy_host(emulator: ServerProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ToyHost]:
    """One host per test module, on the module's emulator."""
    host = start_host(tmp_path_factory.mktemp("host"), emulator.port)
    yield host
    host.process.stop()
