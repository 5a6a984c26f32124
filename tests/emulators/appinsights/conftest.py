"""Fixtures: the App Insights emulator as a real process, and one realistic run exported into it."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.appinsights.produce_run import SIDE_CHANNELS_OFF
from tests.support.processes import REPO_ROOT, ServerProcess, free_port, start_python_module

IKEY = "00000000-0000-0000-0000-000000000000"
DEMO_RUN = "run-demo-7f3a"


@dataclass
class AppInsights:
    """A running emulator: its process, data directory and addresses."""

    process: ServerProcess
    data_dir: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.process.port}"

    @property
    def connection_string(self) -> str:
        endpoint = f"{self.url}/"
        return f"InstrumentationKey={IKEY};IngestionEndpoint={endpoint};LiveEndpoint={endpoint}"

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=10) as reply:
            return json.load(reply)


def start_appinsights(data_dir: Path, *extra: str) -> AppInsights:
    """Start `python -m local_emulators.appinsights` on a free port with `data_dir`."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    process = start_python_module(
        "local_emulators.appinsights",
        ["--port", str(port), "--data-dir", str(data_dir), *extra],
        port=port,
        log_path=data_dir.parent / f"{data_dir.name}.log",
    )
    return AppInsights(process, data_dir)


def produce_run(emulator: AppInsights, run_id: str) -> str:
    """Export the realistic run of produce_run.py through configure_azure_monitor; returns its trace id."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.emulators.appinsights.produce_run", emulator.connection_string, run_id],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session", autouse=True)
def _exporter_side_channels_off() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SIDE_CHANNELS_OFF.items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="session")
def appinsights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppInsights]:
    """One emulator shared by the session's tests (each test uses its own run or trace ids)."""
    running = start_appinsights(tmp_path_factory.mktemp("appinsights") / "data")
    yield running
    running.process.stop()


@pytest.fixture(scope="session")
def demo_run(appinsights: AppInsights) -> tuple[str, str]:
    """(run id, trace id) of the realistic run, exported once per session."""
    return DEMO_RUN, produce_run(appinsights, DEMO_RUN)
