"""The whole local serverless stack as real processes: Service Bus and Cosmos emulators, the scripted model
server, and `switchboard host` running a Function App — each on free loopback ports, each killable and restartable.
"""

from __future__ import annotations

import importlib.util
import json
import os
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from tests.emulators.cosmos.cosmos_harness import KEY as COSMOS_KEY
from tests.support.processes import REPO_ROOT, ServerProcess, free_port, port_open, start_python_module

SB_KEY = "SAS_KEY_VALUE"
HOST_KEY = "test-host-key"


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@dataclass
class Stack:
    """Ports, data directories and processes of one local stack.

    Attributes:
        root: A temporary directory holding data, logs and the Service Bus config.
        script_root: The folder with the `function_app.py` the host loads.
        model_script: The scripted model's JSON script.
        model_args: More arguments for the scripted model server (e.g. a second model's script).
        servicebus_config: Microsoft's emulator config.json with every entity the app needs.
    """

    root: Path
    script_root: Path
    model_script: Path
    servicebus_config: Path
    sb_port: int = field(default_factory=free_port)
    sb_control_port: int = field(default_factory=free_port)
    cosmos_port: int = field(default_factory=free_port)
    model_port: int = field(default_factory=free_port)
    host_port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    model_args: list[str] = field(default_factory=list)
    host_ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, ServerProcess] = field(default_factory=dict)
    _starts: int = 0

    @property
    def sb_connection(self) -> str:
        return (
            f"Endpoint=sb://127.0.0.1:{self.sb_port};SharedAccessKeyName=RootManageSharedAccessKey;"
            f"SharedAccessKey={SB_KEY};UseDevelopmentEmulator=true;"
        )

    @property
    def cosmos_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.cosmos_port}/"

    @property
    def model_url(self) -> str:
        return f"http://127.0.0.1:{self.model_port}"

    @property
    def host_url(self) -> str:
        return f"http://127.0.0.1:{self.host_port}"

    def app_env(self) -> dict[str, str]:
        """The settings the Function App reads (as local.settings.json would give them)."""
        return {
            "ServiceBusConnection": self.sb_connection,
            "COSMOS_ENDPOINT": self.cosmos_endpoint,
            "COSMOS_KEY": COSMOS_KEY,
            "OPENAI_BASE_URL": f"{self.model_url}/v1",
            "OPENAI_API_KEY": "scripted",
            "SWITCHBOARD_HOST_KEY": HOST_KEY,
            **self.extra_env,
        }

    def start_all(self) -> None:
        self.start_servicebus()
        self.start_cosmos()
        self.start_model()
        self.start_host()

    def start_servicebus(self) -> None:
        args = ["--host", "127.0.0.1", "--port", str(self.sb_port), "--control-port", str(self.sb_control_port)]
        args += ["--config", str(self.servicebus_config), "--data-dir", str(self.root / "servicebus")]
        self._start(
            "servicebus",
            "local_emulators.servicebus",
            args,
            self.sb_port,
            lambda: port_open(self.sb_port) and port_open(self.sb_control_port),
        )

    def start_cosmos(self) -> None:
        args = ["--port", str(self.cosmos_port), "--data-dir", str(self.root / "cosmos")]
        self._start(
            "cosmos",
            "local_emulators.cosmos",
            args,
            self.cosmos_port,
            lambda: _http_ok(f"{self.cosmos_endpoint}_emulator/health"),
        )

    def start_model(self) -> None:
        args = ["--script", str(self.model_script), "--host", "127.0.0.1", "--port", str(self.model_port)]
        args += self.model_args
        self._start("model", "local_emulators.openai", args, self.model_port)

    def start_host(self, name: str = "host") -> None:
        """Start a `switchboard host`; another `name` (e.g. "host2") is one more instance on its own HTTP port.

        Every instance shares the namespace and the account, as the instances of a scaled-out Function App do.
        """
        port = self.host_port if name == "host" else self.host_ports.setdefault(name, free_port())
        args = ["host", "--port", str(port), "--script-root", str(self.script_root)]
        self._start(
            name,
            "switchboard",
            args,
            port,
            lambda: _http_ok(f"http://127.0.0.1:{port}/api/health"),
            env=self.app_env(),
            timeout=60.0,
        )

    def kill(self, name: str) -> None:
        """SIGKILL one process, as a crash would."""
        self.processes.pop(name).kill_hard()

    def stop(self, name: str) -> None:
        self.processes.pop(name).stop()

    def stop_all(self) -> None:
        hosts = [name for name in self.processes if name.startswith("host")]
        for name in (*hosts, "model", "cosmos", "servicebus"):
            if name in self.processes:
                self.stop(name)

    def logs(self) -> str:
        return "\n".join(f"--- {p.log_path.name}\n{p.log()[-4000:]}" for p in self.processes.values())

    def _start(
        self,
        name: str,
        module: str,
        args: list[str],
        port: int,
        ready: Any = None,
        env: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._starts += 1
        log = self.root / f"{name}-{self._starts}.log"
        self.processes[name] = start_python_module(
            module, args, port=port, log_path=log, ready=ready, env=env, timeout=timeout
        )


def write_servicebus_config(path: Path, config: dict[str, Any]) -> Path:
    """Write Microsoft's emulator config.json for the stack's Service Bus emulator."""
    path.write_text(json.dumps(config, indent=2))
    return path


def load_app_module(function_app: Path) -> ModuleType:
    """Import a `function_app.py` by path (each app folder has its own, so they cannot be imported by name)."""
    spec = importlib.util.spec_from_file_location(f"app_{function_app.parent.name}", function_app)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {function_app}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def repo_script_root() -> Path:
    """The repository root, whose `function_app.py` is the product's Function App."""
    return REPO_ROOT


def scrub_env() -> None:
    """Remove model settings a developer may have exported, so tests only ever reach the scripted model."""
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT", "OPENAI_API_KEY"):
        os.environ.pop(name, None)
