"""`LocalStack`: the emulators and `switchboard host` as child processes, for `switchboard run`'s serverless path.

It runs exactly what a developer would run by hand — `python -m local_emulators up` (Service Bus, Cosmos DB and,
when asked, the scripted model, with every entity of the app's entity list) and `switchboard host` on the app's
`function_app.py` — on free loopback ports with a throw-away data directory, and ends both at exit. The product
never imports the emulators: they are only started as processes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from switchboard.cli.free_ports import free_port
from switchboard.errors import SwitchboardError


class LocalStackError(SwitchboardError):
    """The local emulators or the local Functions host did not start."""


class LocalStack:
    """Starts the emulators, then the host; `values` are the app settings both were given."""

    def __init__(
        self,
        script_root: Path,
        *,
        model_script: Path | None = None,
        model_env: dict[str, str],
        entities_json: str | None = None,
    ) -> None:
        """Prepare ports and a temporary data directory; nothing starts before `start()`.

        Args:
            script_root: The app's folder (`function_app.py`).
            model_script: With the scripted model, its script.
            model_env: Model settings for the host.
            entities_json: The entity list to create (generated from the registry); without it, the app's
                `infra/entities.json` when there is one.
        """
        self.script_root = script_root
        self.entities_json = entities_json
        self.model_script = model_script
        self.model_env = model_env
        self.workdir = Path(tempfile.mkdtemp(prefix="switchboard-run-"))
        self.settings_file = self.workdir / "local.settings.json"
        self.host_port = free_port()
        self.appinsights_port = free_port()
        self.values: dict[str, str] = {}
        self._children: list[tuple[str, subprocess.Popen[bytes]]] = []

    @property
    def host_url(self) -> str:
        """The local Functions host's base URL."""
        return f"http://127.0.0.1:{self.host_port}"

    @property
    def appinsights_data(self) -> Path:
        """Where the App Insights emulator keeps its telemetry (`up` gives each emulator `<data-dir>/<name>`)."""
        return self.workdir / "data" / "appinsights"

    def run_page(self, run_id: str) -> str:
        """The local App Insights emulator's page of a run (its traces as a waterfall)."""
        return f"http://127.0.0.1:{self.appinsights_port}/runs/{run_id}"

    def start(self) -> None:
        """Start the emulators and the host and wait until both answer.

        Raises:
            LocalStackError: Either did not start (the message carries the end of its log).
        """
        up = [sys.executable, "-m", "local_emulators", "up", "--data-dir", str(self.workdir / "data")]
        up += ["--servicebus-port", str(free_port()), "--cosmos-port", str(free_port())]
        up += ["--appinsights-port", str(self.appinsights_port), "--sessions-port", str(free_port())]
        up += ["--write-settings", str(self.settings_file)]
        entities = self.script_root / "infra" / "entities.json"
        if self.entities_json is not None:
            # The registry's own list, so a team added to it gets its queues even before the file is rewritten.
            entities = self.workdir / "entities.json"
            entities.write_text(self.entities_json, encoding="utf-8")
        if entities.exists():
            up += ["--entities", str(entities)]
        if self.model_script is not None:
            up += ["--model-script", str(self.model_script), "--model-port", str(free_port())]
        self._spawn("emulators", up, os.environ.copy())
        self._wait("emulators", self.settings_file.exists, 60.0)
        time.sleep(0.2)  # the file is written once every emulator listens; let the writer finish
        self.values = {str(k): str(v) for k, v in json.loads(self.settings_file.read_text())["Values"].items()}
        self.values.update(self.model_env)
        host = [sys.executable, "-m", "switchboard", "host", "--port", str(self.host_port)]
        host += ["--script-root", str(self.script_root)]
        self._spawn("host", host, {**os.environ, **self.values})
        self._wait("host", self._host_ready, 90.0)

    def stop(self) -> None:
        """End the host, then the emulators (SIGTERM, then SIGKILL after a grace period)."""
        # One after the other: the host exports its last spans to the App Insights emulator as it exits, so that
        # emulator (and Service Bus, which the host is still closing) must outlive it, or the run's trace is cut.
        for _, child in reversed(self._children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=25)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=10)
        self._children.clear()

    def log_tail(self, name: str, lines: int = 30) -> str:
        """The end of a child's log."""
        path = self.workdir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        with (self.workdir / f"{name}.log").open("wb") as log:
            child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=self.script_root, env=env)
        self._children.append((name, child))

    def _wait(self, name: str, ready: object, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # Every child so far, not only this one: a host waiting for emulators that have gone would never work.
            for started_name, started in self._children:
                if started.poll() is not None:
                    log = self.log_tail(started_name)
                    raise LocalStackError(f"{started_name} exited with {started.returncode}:\n{log}")
            if callable(ready) and ready():
                return
            time.sleep(0.05)
        raise LocalStackError(f"{name} not ready after {timeout:g}s:\n{self.log_tail(name)}")

    def _host_ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.host_url}/api/health", timeout=1) as response:
                return bool(response.status == 200)
        except OSError:
            return False
