"""`submit` checks the team's queue before posting, and `--wait` ends at once when the ingress dead-letters the task."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusSubQueue

from tests.cli.conftest import Deployment
from tests.support.processes import REPO_ROOT

pytestmark = pytest.mark.emulator

REASON = "unknown team 'research'; this app offers ['helpdesk']"

REGISTRY_WITH_AN_UNDEPLOYED_TEAM = """
from agents.registry import TEAMS as SAMPLES
from switchboard.agentchat import AssistantAgent
from switchboard.teams import RoundRobinGroupChat, TeamSpec
from switchboard.termination import MaxMessageTermination


def build(model_client):
    answerer = AssistantAgent("answerer", model_client=model_client)
    return RoundRobinGroupChat([answerer], termination=MaxMessageTermination(2), name="helpdesk")


TEAMS = {**SAMPLES, "helpdesk": TeamSpec(name="helpdesk", description="d", build=build, report_author="answerer")}
"""


def _submit(deployment: Deployment, *args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "switchboard", "submit", *args, "--settings", str(deployment.settings_file)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=90,
        env={**os.environ, "COLUMNS": "300", "PYTHONPATH": str(REPO_ROOT)},
        check=False,
    )


def _dead_letter_the_next_task(deployment: Deployment, taken: list[str]) -> None:
    """Stand in for the ingress of an app that does not offer the team: dead-letter the task with its reason."""
    with (
        ServiceBusClient.from_connection_string(deployment.values["ServiceBusConnection"]) as bus,
        bus.get_queue_receiver("tasks", max_wait_time=30) as receiver,
    ):
        (message,) = receiver.receive_messages(max_message_count=1, max_wait_time=30)
        receiver.dead_letter_message(message, reason="InvalidTaskError", error_description=REASON)
        taken.append(str(message.message_id))


def test_wait_on_a_dead_lettered_task_prints_the_reason_and_fails_within_seconds(deployment: Deployment) -> None:
    taken: list[str] = []
    ingress = threading.Thread(target=_dead_letter_the_next_task, args=(deployment, taken), daemon=True)
    ingress.start()
    started = time.monotonic()
    done = _submit(deployment, "Explain sessions", "--team", "research", "--wait", "--timeout", "120")
    elapsed = time.monotonic() - started
    ingress.join(timeout=30)
    assert done.returncode == 1, done.stdout + done.stderr
    (run_id,) = taken
    _settle_dead_letter(deployment, run_id)  # the deployment is the session's: leave its dead letters as found
    out = " ".join(done.stdout.split())
    assert f"the ingress dead-lettered the task of run {run_id}: {REASON}" in out
    assert f"switchboard dlq show tasks {run_id}" in out
    assert elapsed < 30  # seconds, not the 120 s timeout


def _settle_dead_letter(deployment: Deployment, message_id: str) -> None:
    connection = deployment.values["ServiceBusConnection"]
    with (
        ServiceBusClient.from_connection_string(connection) as bus,
        bus.get_queue_receiver("tasks", sub_queue=ServiceBusSubQueue.DEAD_LETTER, max_wait_time=5) as receiver,
    ):
        for message in receiver.receive_messages(max_message_count=10, max_wait_time=5):
            if message.message_id == message_id:
                receiver.complete_message(message)
            else:
                receiver.abandon_message(message)


def test_submit_to_a_team_whose_queue_is_missing_names_the_fix_and_posts_nothing(
    deployment: Deployment, tmp_path: Path
) -> None:
    (tmp_path / "newer_registry.py").write_text(REGISTRY_WITH_AN_UNDEPLOYED_TEAM)
    done = _submit(
        deployment, "Reset my password", "--team", "helpdesk", "--registry", "newer_registry:TEAMS", cwd=tmp_path
    )
    assert done.returncode == 1, done.stdout + done.stderr
    out = " ".join(done.stdout.split())
    assert "Service Bus has no queue 'helpdesk' for team 'helpdesk'" in out
    assert "switchboard infra entities --write" in out
    assert "queued" not in out


def test_runs_show_prints_each_tool_calls_arguments_and_result_and_json_carries_them(deployment: Deployment) -> None:
    from azure.cosmos import CosmosClient
    from typer.testing import CliRunner

    from switchboard.cli.app import app
    from tests.cli.conftest import api_view

    values = deployment.values
    runs = CosmosClient(values["COSMOS_ENDPOINT"], values["COSMOS_KEY"]).get_database_client("switchboard")
    container = runs.get_container_client("runs")
    run_id = "tool-activity-run"
    container.upsert_item(
        {"id": run_id, "run_id": run_id, "type": "run", "status": "completed", "team": "research", "task": "t"}
    )
    activity = {"name": "search_notes", "arguments": '{"query": "sessions"}', "result": "Session-enabled queues…"}
    container.upsert_item(
        {
            **{"id": "entry:000000", "type": "entry", "run_id": run_id, "index": 0, "source": "researcher"},
            **{"content": "found it", "kind": "text", "tool_calls": ["search_notes"], "tool_activity": [activity]},
        }
    )
    shown = CliRunner().invoke(app, ["runs", "show", run_id, "--settings", str(deployment.settings_file)])
    assert shown.exit_code == 0, shown.output
    assert 'search_notes({"query": "sessions"}) → Session-enabled queues…' in " ".join(shown.output.split())
    as_json = CliRunner().invoke(app, ["runs", "show", run_id, "--json", "--settings", str(deployment.settings_file)])
    view = json.loads(as_json.stdout)
    assert view["transcript"][0]["tool_activity"] == [activity]
    assert view == json.loads(json.dumps(api_view(deployment, run_id), default=str))  # GET /api/runs/{id}'s JSON
