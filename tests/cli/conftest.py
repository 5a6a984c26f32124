"""The local deployment the hosted CLI commands talk to: `python -m local_emulators up` with the real entity list."""

from __future__ import annotations

import asyncio
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

from switchboard.cli.hosted_settings import load_settings
from switchboard.state import CosmosRunStore
from tests.support.processes import REPO_ROOT, free_port


@dataclass(frozen=True)
class Deployment:
    """Emulators brought up with every entity of infra/entities.json, and the settings file `up` wrote."""

    settings_file: Path

    @property
    def values(self) -> dict[str, str]:
        return dict(json.loads(self.settings_file.read_text())["Values"])


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("deployment")
    settings_file = root / "local.settings.json"
    args = ["--servicebus-port", str(free_port()), "--cosmos-port", str(free_port()), "--data-dir", str(root)]
    args += ["--appinsights-port", str(free_port()), "--sessions-port", str(free_port())]
    proc = subprocess.Popen(
        [sys.executable, "-m", "local_emulators", "up", *args, "--write-settings", str(settings_file)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    lines: list[str] = []
    while time.monotonic() < deadline and not settings_file.exists():
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
    if not settings_file.exists():
        proc.kill()
        raise AssertionError("up did not write its settings:\n" + "".join(lines))
    try:
        yield Deployment(settings_file)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def api_view(deployment: Deployment, run_id: str) -> dict[str, Any] | None:
    """The run as `GET /api/runs/{id}` returns it, read straight from the deployment's Cosmos store."""

    async def read() -> dict[str, Any] | None:
        store = CosmosRunStore.from_settings(load_settings(deployment.settings_file))
        try:
            return await store.get_run(run_id)
        finally:
            await store.close()

    return asyncio.run(read())
