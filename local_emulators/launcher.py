"""Start every local emulator as its own process, print how to connect, and stop them together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from local_emulators.sessions.auth import DEFAULT_TOKEN as SESSIONS_EMULATOR_TOKEN
from local_emulators.up_errors import LaunchError

__all__ = ["APPINSIGHTS_IKEY", "EMULATOR_COSMOS_KEY", "EmulatorGroup", "EmulatorSpec", "LaunchError", "default_specs"]

# The well-known all-zero instrumentation key the App Insights emulator accepts by default.
APPINSIGHTS_IKEY = "00000000-0000-0000-0000-000000000000"
EMULATOR_COSMOS_KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="


@dataclass(frozen=True)
class EmulatorSpec:
    """How to start one emulator and what a client needs to reach it.

    Attributes:
        name: Short name, also the data sub-directory.
        module: The module run with `python -m`.
        port: The port it listens on.
        arguments: Builds the command-line arguments from (host, port, data dir).
        settings: Builds the settings (name → value) a client uses, from (host, port).
    """

    name: str
    module: str
    port: int
    arguments: Callable[[str, int, Path], list[str]]
    settings: Callable[[str, int], dict[str, str]]


def default_specs(
    servicebus_port: int = 5672,
    cosmos_port: int = 8081,
    *,
    servicebus_config: Path | None = None,
    model_script: Path | None = None,
    model_port: int = 8089,
    appinsights_port: int = 8087,
    sessions_port: int = 8091,
) -> list[EmulatorSpec]:
    """The emulators `up` starts, on their fixed default ports unless told otherwise.

    Args:
        servicebus_port: Service Bus AMQP port.
        cosmos_port: Cosmos DB port (HTTP and HTTPS).
        servicebus_config: The Service Bus entity config (Microsoft's Config.json); None: the bundled default.
        model_script: When given, the scripted OpenAI-compatible model server also starts, replaying it.
        model_port: That server's port.
        appinsights_port: The Application Insights emulator's port (ingestion, run pages).
        sessions_port: The Container Apps dynamic sessions emulator's port (code execution).
    """
    config = ["--config", str(servicebus_config)] if servicebus_config is not None else []
    specs = [
        EmulatorSpec(
            name="servicebus",
            module="local_emulators.servicebus",
            port=servicebus_port,
            arguments=lambda host, port, data: [
                *("--host", host, "--port", str(port), "--data-dir", str(data)),
                *("--control-port", "0", *config),
            ],
            settings=lambda host, port: {
                "ServiceBusConnection": (
                    f"Endpoint=sb://{host}:{port};SharedAccessKeyName=RootManageSharedAccessKey;"
                    "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;"
                )
            },
        ),
        EmulatorSpec(
            name="cosmos",
            module="local_emulators.cosmos",
            port=cosmos_port,
            arguments=lambda host, port, data: ["--host", host, "--port", str(port), "--data-dir", str(data)],
            # Plain HTTP (the same port also serves HTTPS): SDKs need no certificate to trust.
            settings=lambda host, port: {
                "COSMOS_ENDPOINT": f"http://{host}:{port}/",
                "COSMOS_KEY": EMULATOR_COSMOS_KEY,
            },
        ),
        EmulatorSpec(
            name="appinsights",
            module="local_emulators.appinsights",
            port=appinsights_port,
            arguments=lambda host, port, data: ["--host", host, "--port", str(port), "--data-dir", str(data)],
            # The Azure Monitor exporter reads only this setting; LiveEndpoint keeps live metrics local too.
            settings=lambda host, port: {
                "APPLICATIONINSIGHTS_CONNECTION_STRING": (
                    f"InstrumentationKey={APPINSIGHTS_IKEY};IngestionEndpoint=http://{host}:{port}/;"
                    f"LiveEndpoint=http://{host}:{port}/"
                )
            },
        ),
        EmulatorSpec(
            name="sessions",
            module="local_emulators.sessions",
            port=sessions_port,
            arguments=lambda host, port, data: ["--host", host, "--port", str(port), "--data-dir", str(data)],
            # The pool management endpoint, and the emulator's static token (in Azure: an Entra token instead).
            settings=lambda host, port: {
                "ACA_SESSIONS_ENDPOINT": f"http://{host}:{port}/",
                "ACA_SESSIONS_TOKEN": SESSIONS_EMULATOR_TOKEN,
            },
        ),
    ]
    if model_script is not None:
        script = str(model_script)
        specs.append(
            EmulatorSpec(
                name="model",
                module="local_emulators.openai",
                port=model_port,
                arguments=lambda host, port, data: ["--script", script, "--host", host, "--port", str(port)],
                settings=lambda host, port: {"OPENAI_BASE_URL": f"http://{host}:{port}/v1"},
            )
        )
    return specs


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


class EmulatorGroup:
    """The running emulators; `stop()` ends exactly the processes this group started."""

    def __init__(self, specs: Sequence[EmulatorSpec], *, host: str, data_dir: Path) -> None:
        self.specs = list(specs)
        self.host = host
        self.data_dir = data_dir
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, timeout: float = 20.0) -> None:
        """Start every emulator and wait until each accepts connections.

        Raises:
            LaunchError: One exited or did not become ready; the others are stopped again.
        """
        for spec in self.specs:
            if _accepts(self.host, spec.port):
                self.stop()
                raise LaunchError(f"{spec.name}: port {spec.port} on {self.host} is already in use")
            data = self.data_dir / spec.name
            data.mkdir(parents=True, exist_ok=True)
            log = (self.data_dir / f"{spec.name}.log").open("wb")
            self.processes[spec.name] = subprocess.Popen(
                [sys.executable, "-m", spec.module, *spec.arguments(self.host, spec.port, data)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
            log.close()
        deadline = time.monotonic() + timeout
        waiting = {spec.name: spec for spec in self.specs}
        while waiting:
            for name, spec in list(waiting.items()):
                if self.processes[name].poll() is not None:
                    self.stop()
                    raise LaunchError(f"{name} exited at start:\n{self.log_tail(name)}")
                if _accepts(self.host, spec.port):
                    del waiting[name]
            if waiting and time.monotonic() > deadline:
                self.stop()
                raise LaunchError(f"not ready after {timeout}s: {', '.join(waiting)}")
            time.sleep(0.02)

    def settings(self) -> dict[str, str]:
        """Every client setting of every emulator."""
        merged: dict[str, str] = {}
        for spec in self.specs:
            merged.update(spec.settings(self.host, spec.port))
        return merged

    def log_tail(self, name: str, lines: int = 20) -> str:
        """The last lines of an emulator's log."""
        path = self.data_dir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self) -> None:
        """Terminate the emulators this group started (kill after 10 s)."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
