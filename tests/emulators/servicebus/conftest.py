"""Fixtures: the Service Bus emulator as a real process on free ports, reset between tests."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import ServerProcess, free_port, port_open, start_python_module

CONFIG = Path(__file__).with_name("config.jsonc")
KEY_NAME = "RootManageSharedAccessKey"
KEY = "SAS_KEY_VALUE"


def connection_string(port: int, key: str = KEY) -> str:
    """The connection string the SDK uses for the emulator on ``port``."""
    return (
        f"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName={KEY_NAME};SharedAccessKey={key};"
        "UseDevelopmentEmulator=true;"
    )


@dataclass
class Emulator:
    """A running emulator process and how to reach it."""

    process: ServerProcess
    control_port: int
    data_dir: Path

    @property
    def port(self) -> int:
        return self.process.port

    @property
    def connection_string(self) -> str:
        return connection_string(self.port)

    @property
    def control_url(self) -> str:
        return f"http://127.0.0.1:{self.control_port}"

    def control(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(
            f"{self.control_url}{path}", method=method, data=b"" if method == "POST" else None
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def counts(self, entity: str) -> dict[str, Any]:
        """The control plane's row for ``entity``."""
        rows = self.control("/entities")["entities"]
        return next(row for row in rows if row["name"].lower() == entity.lower())


def launch(
    tmp: Path, *, data_dir: Path | None = None, amqp_port: int | None = None, control_port: int | None = None
) -> Emulator:
    """Start the emulator with the suite's config."""
    port = amqp_port or free_port()
    control = control_port or free_port()
    data = data_dir or tmp / "data"
    args = [
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--control-port",
        str(control),
        "--config",
        str(CONFIG),
        "--data-dir",
        str(data),
    ]
    process = start_python_module(
        "local_emulators.servicebus",
        args,
        port=port,
        log_path=tmp / f"servicebus-{port}.log",
        ready=lambda: port_open(port) and port_open(control),
    )
    return Emulator(process=process, control_port=control, data_dir=data)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """One emulator for the suite (tests that kill it start their own)."""
    running = launch(tmp_path_factory.mktemp("servicebus"))
    yield running
    running.process.stop()


@pytest.fixture
def sb(emulator: Emulator) -> Emulator:
    """The shared emulator, purged before the test."""
    emulator.control("/reset", "POST")
    return emulator


@pytest.fixture
def conn_str(sb: Emulator) -> str:
    """The connection string of the (freshly reset) shared emulator."""
    return sb.connection_string
