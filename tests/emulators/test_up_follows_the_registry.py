"""`python -m local_emulators up` in an app's folder creates the entities its registry needs, stale file or not."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage

from tests.support.processes import REPO_ROOT, free_port

REGISTRY = """
from switchboard.agentchat import AssistantAgent
from switchboard.teams import RoundRobinGroupChat, TeamSpec
from switchboard.termination import MaxMessageTermination


def build(model_client):
    answerer = AssistantAgent("answerer", model_client=model_client)
    return RoundRobinGroupChat([answerer], termination=MaxMessageTermination(2), name="helpdesk")


TEAMS = {"helpdesk": TeamSpec(name="helpdesk", description="d", build=build, report_author="answerer")}
"""


@pytest.mark.emulator
def test_up_creates_the_queues_of_a_team_the_committed_list_lacks(tmp_path: Path) -> None:
    app = tmp_path / "app"
    (app / "agents").mkdir(parents=True)
    (app / "agents" / "__init__.py").write_text("")
    (app / "agents" / "registry.py").write_text(REGISTRY)
    (app / "function_app.py").write_text("# the app's Functions entry point (not loaded by up)\n")
    (app / "infra").mkdir()
    (app / "infra" / "entities.json").write_text((REPO_ROOT / "infra" / "entities.json").read_text())  # stale
    settings_file = tmp_path / "local.settings.json"
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "local_emulators", "up", "--data-dir", str(tmp_path / "data")),
            *("--servicebus-port", str(free_port()), "--cosmos-port", str(free_port())),
            *("--appinsights-port", str(free_port()), "--write-settings", str(settings_file)),
        ],
        cwd=app,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not (lines and lines[-1].startswith("settings written")):
            line = proc.stdout.readline()
            assert line, "up ended early:\n" + "".join(lines)
            lines.append(line)
        printed = dict(line.strip().split("=", 1) for line in lines if line.startswith("ServiceBusConnection="))
        with ServiceBusClient.from_connection_string(printed["ServiceBusConnection"]) as bus:
            with bus.get_queue_sender("answerer") as sender:
                sender.send_messages(ServiceBusMessage(b"{}", session_id="run-1"))
            with bus.get_queue_receiver("answerer", session_id="run-1", max_wait_time=5) as receiver:
                assert [bytes(b"".join(m.body)) for m in receiver.receive_messages(max_wait_time=5)] == [b"{}"]
        values = json.loads(settings_file.read_text())["Values"]
        assert values["ServiceBusConnection"] == printed["ServiceBusConnection"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    out = "".join(lines)
    assert "note: infra/entities.json is stale" in out
    assert "switchboard infra entities --write" in out
    assert "entities: helpdesk, answerer, tasks" in out
