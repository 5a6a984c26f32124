"""Service Bus and Cosmos emulators as real processes for hosting tests, with the entities hosting needs."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.emulators.cosmos.cosmos_harness import KEY as COSMOS_KEY
from tests.support.processes import ServerProcess, free_port, port_open, start_python_module

SB_KEY = "SAS_KEY_VALUE"


def _session_queue(name: str) -> dict[str, Any]:
    return {
        "Name": name,
        "Properties": {
            "RequiresSession": True,
            "MaxDeliveryCount": 10,
            "LockDuration": "PT30S",
            "RequiresDuplicateDetection": True,
            "DuplicateDetectionHistoryTimeWindow": "PT10M",
            "DeadLetteringOnMessageExpiration": True,
        },
    }


def hosting_config(agent_queues: Sequence[str]) -> dict[str, Any]:
    """Microsoft's emulator config.json: a session queue per agent, `tasks`, and `run-events` with `monitor`."""
    tasks = {
        "Name": "tasks",
        "Properties": {
            "MaxDeliveryCount": 10,
            "LockDuration": "PT30S",
            "RequiresDuplicateDetection": True,
            "DuplicateDetectionHistoryTimeWindow": "PT10M",
        },
    }
    events = {
        "Name": "run-events",
        "Properties": {"RequiresDuplicateDetection": True, "DuplicateDetectionHistoryTimeWindow": "PT10M"},
        "Subscriptions": [{"Name": "monitor", "Properties": {"MaxDeliveryCount": 10}}],
    }
    namespace = {
        "Name": "sbemulatorns",
        "Queues": [*(_session_queue(name) for name in agent_queues), tasks],
        "Topics": [events],
    }
    return {"UserConfig": {"Namespaces": [namespace], "Logging": {"Type": "Console"}}}


@dataclass
class ServiceBusEmulator:
    """A running Service Bus emulator."""

    process: ServerProcess
    control_port: int

    @property
    def connection_string(self) -> str:
        return (
            f"Endpoint=sb://127.0.0.1:{self.process.port};SharedAccessKeyName=RootManageSharedAccessKey;"
            f"SharedAccessKey={SB_KEY};UseDevelopmentEmulator=true;"
        )

    def control(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.control_port}{path}", method=method, data=b"" if method == "POST" else None
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        """Purge every entity (messages, dead letters, duplicate-detection history)."""
        self.control("/reset", "POST")

    def counts(self, entity: str) -> dict[str, Any]:
        """The control plane's row for `entity` (active, dead-lettered, ... counts)."""
        rows = self.control("/entities")["entities"]
        return next(row for row in rows if row["name"].lower() == entity.lower())


def start_servicebus(root: Path, agent_queues: Sequence[str]) -> ServiceBusEmulator:
    """Start `python -m local_emulators.servicebus` with `hosting_config(agent_queues)` on free ports."""
    root.mkdir(parents=True, exist_ok=True)
    config = root / "servicebus-config.json"
    config.write_text(json.dumps(hosting_config(agent_queues)))
    port, control = free_port(), free_port()
    args = ["--host", "127.0.0.1", "--port", str(port), "--control-port", str(control)]
    args += ["--config", str(config), "--data-dir", str(root / "servicebus")]
    process = start_python_module(
        "local_emulators.servicebus",
        args,
        port=port,
        log_path=root / f"servicebus-{port}.log",
        ready=lambda: port_open(port) and port_open(control),
    )
    return ServiceBusEmulator(process=process, control_port=control)


@dataclass
class CosmosEmulator:
    """A running Cosmos emulator."""

    process: ServerProcess
    key: str = COSMOS_KEY

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.process.port}/"


def _cosmos_ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/health", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def start_cosmos(root: Path, *, port: int | None = None) -> CosmosEmulator:
    """Start `python -m local_emulators.cosmos` on a free port (or `port`), keeping its data under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    process = start_python_module(
        "local_emulators.cosmos",
        ["--port", str(port), "--data-dir", str(root / "cosmos")],
        port=port,
        log_path=root / f"cosmos-{port}.log",
        ready=lambda: _cosmos_ready(port),
    )
    return CosmosEmulator(process=process)


def restart_cosmos(emulator: CosmosEmulator, root: Path) -> CosmosEmulator:
    """Start the emulator again on the same port and data (after it was stopped or killed)."""
    return start_cosmos(root, port=emulator.process.port)
