"""`switchboard submit` and `runs list|show|cancel` against real emulator processes, through the real SDKs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from azure.cosmos import CosmosClient
from azure.cosmos.container import ContainerProxy
from azure.servicebus import ServiceBusClient
from typer.testing import CliRunner

from switchboard.cli.app import app
from tests.cli.conftest import Deployment, api_view
from tests.support.processes import REPO_ROOT

pytestmark = pytest.mark.emulator


def _cli(deployment: Deployment, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, "--settings", str(deployment.settings_file)])


def _run_id(output: str) -> str:
    # "run <id> queued for team research"
    return output.split("run ", 1)[1].split()[0]


@pytest.fixture(scope="module")
def runs(deployment: Deployment) -> ContainerProxy:
    values = deployment.values
    client = CosmosClient(values["COSMOS_ENDPOINT"], values["COSMOS_KEY"])
    return client.get_database_client("switchboard").get_container_client("runs")


def _take_task(deployment: Deployment, run_id: str) -> dict[str, Any]:
    with (
        ServiceBusClient.from_connection_string(deployment.values["ServiceBusConnection"]) as bus,
        bus.get_queue_receiver("tasks", max_wait_time=5) as receiver,
    ):
        for message in receiver.receive_messages(max_message_count=20, max_wait_time=5):
            receiver.complete_message(message)
            if message.message_id == run_id:
                return {"body": json.loads(b"".join(message.body)), "content_type": message.content_type}
    raise AssertionError(f"no task message with MessageId {run_id}")


def test_submit_creates_the_queued_run_and_posts_its_task(deployment: Deployment, runs: ContainerProxy) -> None:
    result = _cli(deployment, "submit", "Explain sessions", "--team", "research")
    assert result.exit_code == 0, result.output
    run_id = _run_id(result.output)
    task = _take_task(deployment, run_id)
    assert task["body"] == {"task": "Explain sessions", "team": "research"}
    document = runs.read_item(run_id, partition_key=run_id)
    assert (document["type"], document["status"], document["task"]) == ("run", "queued", "Explain sessions")

    shown = _cli(deployment, "runs", "show", run_id, "--json")
    assert shown.exit_code == 0, shown.output
    view = json.loads(shown.stdout)
    assert view == json.loads(json.dumps(api_view(deployment, run_id), default=str))
    assert (view["status"], view["transcript"]) == ("queued", [])

    listed = _cli(deployment, "runs", "list", "--json")
    assert run_id in [run["run_id"] for run in json.loads(listed.stdout)]
    table = _cli(deployment, "runs", "list")
    assert run_id in table.output
    assert "queued" in table.output


def test_submit_wait_prints_each_entry_as_it_is_committed_and_the_report(
    deployment: Deployment, runs: ContainerProxy
) -> None:
    entries = [
        {"source": "user", "content": "Say how retries work", "kind": "task"},
        {"source": "planner", "content": "PLAN: look it up", "kind": "text"},
        {"source": "writer", "content": "REPORT: retries are redeliveries", "kind": "text"},
        {"source": "reviewer", "content": "APPROVE", "kind": "text"},
    ]
    worker = threading.Thread(target=_fake_host, args=(deployment, runs, entries), daemon=True)
    worker.start()
    done = subprocess.run(
        [
            *(sys.executable, "-m", "switchboard", "submit", "Say how retries work"),
            *("--wait", "--timeout", "60", "--settings", str(deployment.settings_file)),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    worker.join(timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    positions = [out.index(e["content"]) for e in entries[1:]]
    assert positions == sorted(positions)
    report = out.split("Report", 1)[1]
    assert "REPORT: retries are redeliveries" in report  # the writer is the research team's report author
    assert "completed" in report
    assert "writer" in report  # the usage table


def _fake_host(deployment: Deployment, runs: ContainerProxy, entries: list[dict[str, Any]]) -> None:
    """Stand in for the Function App: take the task, commit entries one by one (docs/hosting.md layout), complete."""
    with (
        ServiceBusClient.from_connection_string(deployment.values["ServiceBusConnection"]) as bus,
        bus.get_queue_receiver("tasks", max_wait_time=30) as receiver,
    ):
        (message,) = receiver.receive_messages(max_message_count=1, max_wait_time=30)
        receiver.complete_message(message)
    run_id = str(message.message_id)
    runs.patch_item(
        run_id, partition_key=run_id, patch_operations=[{"op": "set", "path": "/status", "value": "running"}]
    )
    for index, entry in enumerate(entries):
        time.sleep(0.3)
        usage = {"prompt_tokens": 10, "completion_tokens": 5} if entry["source"] != "user" else {}
        runs.create_item(
            {"id": f"entry:{index:06d}", "type": "entry", "run_id": run_id, "index": index, "usage": usage, **entry}
        )
    runs.patch_item(
        run_id,
        partition_key=run_id,
        patch_operations=[
            {"op": "set", "path": "/status", "value": "completed"},
            {"op": "set", "path": "/stop_reason", "value": "text 'APPROVE' mentioned by reviewer"},
            {"op": "set", "path": "/usage", "value": {"writer": {"prompt_tokens": 10, "completion_tokens": 5}}},
        ],
    )


def test_cancel_stops_a_queued_run_once_and_announces_it(deployment: Deployment, runs: ContainerProxy) -> None:
    run_id = _run_id(_cli(deployment, "submit", "Something long").output)
    _take_task(deployment, run_id)
    cancelled = _cli(deployment, "runs", "cancel", run_id)
    assert cancelled.exit_code == 0, cancelled.output
    assert f"run {run_id}: cancelled" in cancelled.output
    assert runs.read_item(run_id, partition_key=run_id)["status"] == "cancelled"
    with (
        ServiceBusClient.from_connection_string(deployment.values["ServiceBusConnection"]) as bus,
        bus.get_subscription_receiver("run-events", "monitor", max_wait_time=5) as receiver,
    ):
        events = receiver.receive_messages(max_message_count=50, max_wait_time=5)
        for event in events:
            receiver.complete_message(event)
    announced = [(dict(e.application_properties or {}).get(b"run_id"), e.subject) for e in events]
    assert (run_id.encode(), "cancelled") in announced

    again = _cli(deployment, "runs", "cancel", run_id)
    assert again.exit_code == 1
    assert "already ended as cancelled" in again.output


def test_unknown_run_and_unknown_team_are_clear_errors(deployment: Deployment) -> None:
    missing = _cli(deployment, "runs", "show", "no-such-run")
    assert missing.exit_code == 1
    assert "no run 'no-such-run'" in missing.output
    team = _cli(deployment, "submit", "x", "--team", "nope")
    assert team.exit_code == 2
    assert "unknown team 'nope'" in team.output


def test_without_settings_the_error_names_what_to_set(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ServiceBusConnection", "COSMOS_ENDPOINT", "COSMOS_KEY"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, ["runs", "list", "--settings", str(tmp_path / "absent.json")])
    assert result.exit_code == 1
    assert "COSMOS_ENDPOINT" in result.output
