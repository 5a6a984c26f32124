"""No run is ever stranded (docs/hosting.md, "Stranded runs and retention"), through real processes.

One stack (Service Bus, Cosmos DB, the scripted model, `switchboard host` on the product's function_app.py) whose
queues allow 3 deliveries, whose sweeper runs every second and fails runs idle for 4 seconds, plus a queue
`retired` that no function listens on (an agent a deploy removed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from azure.cosmos import CosmosClient, PartitionKey
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusSubQueue

from switchboard.hosting.run_document import new_run_document
from tests.emulators.cosmos.cosmos_harness import KEY as COSMOS_KEY
from tests.support.hosted_runs import DEMO_SCRIPT, make_stack, post, run_item, wait_for_status
from tests.support.processes import REPO_ROOT
from tests.support.stack import Stack, repo_script_root, scrub_env

pytestmark = pytest.mark.emulator

MAX_DELIVERIES = 3
STALE_SECONDS = 4
RETIRED = "retired"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from agents.registry import TEAMS
    from switchboard.functions.entities import entities_for

    scrub_env()
    root = tmp_path_factory.mktemp("stranded")
    running = make_stack(root, repo_script_root(), DEMO_SCRIPT, entities_for(TEAMS), MaxDeliveryCount=MAX_DELIVERIES)
    _add_retired_queue(running)
    running.extra_env.update(
        {
            "SWITCHBOARD_MAX_DELIVERY_COUNT": str(MAX_DELIVERIES),
            "SWITCHBOARD_STALE_RUN_SECONDS": str(STALE_SECONDS),
            "SweeperSchedule": "*/1 * * * * *",
            "SWITCHBOARD_MODEL_MAX_ATTEMPTS": "1",
            "SWITCHBOARD_MODEL_TIMEOUT": "5",
            # With transient back-off (scheduled copies), a budget of 0 fails the run at the first failure instead.
            "SWITCHBOARD_RETRY_BUDGET_SECONDS": "0",
        }
    )
    try:
        running.start_servicebus()
        running.start_cosmos()
        _create_container(running)
        running.start_model()
        running.start_host()
        yield running
    finally:
        running.stop_all()


def _add_retired_queue(stack: Stack) -> None:
    config = json.loads(stack.servicebus_config.read_text())
    queues = config["UserConfig"]["Namespaces"][0]["Queues"]
    queues.append({"Name": RETIRED, "Properties": dict(queues[0]["Properties"])})
    stack.servicebus_config.write_text(json.dumps(config, indent=2))


def _create_container(stack: Stack) -> None:
    database = CosmosClient(stack.cosmos_endpoint, COSMOS_KEY).create_database_if_not_exists("switchboard")
    database.create_container_if_not_exists("runs", PartitionKey("/run_id"), default_ttl=-1)


def _runs(stack: Stack) -> Any:
    return (
        CosmosClient(stack.cosmos_endpoint, COSMOS_KEY).get_database_client("switchboard").get_container_client("runs")
    )


def seed_run(stack: Stack, status: str, *, idle: timedelta = timedelta(0)) -> str:
    """A run document as the HTTP API writes it, in `status`, last changed `idle` ago."""
    run_id = str(uuid.uuid4())
    document = new_run_document(run_id, task="seeded", team="research", now=datetime.now(UTC).isoformat())
    document.update(status=status, updated_at=(datetime.now(UTC) - idle).isoformat())
    _runs(stack).create_item(document)
    return run_id


def send(stack: Stack, queue: str, body: bytes, *, run_id: str, message_id: str) -> None:
    with ServiceBusClient.from_connection_string(stack.sb_connection) as client, client.get_queue_sender(queue) as s:
        s.send_messages(ServiceBusMessage(body, message_id=message_id, session_id=run_id))


def dead_letter(stack: Stack, queue: str, message_id: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    with (
        ServiceBusClient.from_connection_string(stack.sb_connection) as client,
        client.get_queue_receiver(queue, sub_queue=ServiceBusSubQueue.DEAD_LETTER) as receiver,
    ):
        while time.monotonic() < deadline:
            for letter in receiver.peek_messages(max_message_count=100):
                if letter.message_id == message_id:
                    return letter
            time.sleep(0.3)
    raise AssertionError(f"{message_id} is not in the dead-letter queue of {queue}\n{stack.logs()}")


def events_of(stack: Stack, run_id: str, until: str, timeout: float = 20.0) -> list[str]:
    """The statuses announced on run-events for `run_id`, read until `until` is among them."""
    statuses: list[str] = []
    deadline = time.monotonic() + timeout
    with (
        ServiceBusClient.from_connection_string(stack.sb_connection) as client,
        client.get_subscription_receiver("run-events", "monitor", max_wait_time=2) as receiver,
    ):
        while until not in statuses and time.monotonic() < deadline:
            for message in receiver.receive_messages(max_message_count=50, max_wait_time=1):
                receiver.complete_message(message)
                if (message.application_properties or {}).get(b"run_id") == run_id.encode():
                    statuses.append(str(message.subject))
    return statuses


def resume_cli(stack: Stack, run_id: str) -> subprocess.CompletedProcess[str]:
    """`switchboard runs resume ID` with the stack's settings, as a user runs it in the repository."""
    return subprocess.run(
        [sys.executable, "-m", "switchboard", "runs", "resume", run_id],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, **stack.app_env(), "COLUMNS": "200", "PYTHONPATH": str(REPO_ROOT)},
        timeout=120,
        check=False,
    )


def test_bad_input_on_an_agent_queue_fails_its_run_with_the_reason_and_an_event(stack: Stack) -> None:
    run_id = seed_run(stack, "running")
    send(stack, "research", b"\x00 not an envelope", run_id=run_id, message_id="garbage-1")
    run = wait_for_status(stack, run_id, "failed", timeout=30)
    assert "dead-lettered: InvalidEnvelopeError" in run["error"]
    letter = dead_letter(stack, "research", "garbage-1")
    assert letter.dead_letter_reason == "InvalidEnvelopeError"
    assert events_of(stack, run_id, until="failed") == ["failed"]


def test_a_message_type_a_deploy_removed_fails_the_run_its_envelope_names(stack: Stack) -> None:
    run_id = seed_run(stack, "running")
    envelope = {
        "type": "agents.research.RemovedInTheLastDeploy",
        "version": 1,
        "payload": {},
        "run_id": run_id,
        "message_id": "removed-1",
        "source": "planner",
        "target": "research",
        "created_at": datetime.now(UTC).isoformat(),
    }
    send(stack, "research", json.dumps(envelope).encode(), run_id=run_id, message_id="removed-1")
    run = wait_for_status(stack, run_id, "failed", timeout=30)
    assert "UnknownMessageTypeError" in run["error"]
    assert dead_letter(stack, "research", "removed-1").dead_letter_reason == "UnknownMessageTypeError"


def fail_a_run_with_the_model_down(stack: Stack) -> str:
    """Start a run while the model is down; wait until it fails; bring the model back."""
    stack.stop("model")  # every model call now fails to connect: a transient error each time
    try:
        status, body = post(stack, "/api/runs", {"task": "a report on stranded runs", "team": "research"})
        assert status == 202, body
        run_id = str(body["run_id"])
        run = wait_for_status(stack, run_id, "failed", timeout=60)
    finally:
        stack.start_model()
    assert "ModelUnavailableError: cannot reach the model endpoint" in run["error"]
    if "MaxDeliveryCountExceeded" in run["error"]:  # abandoned until the last delivery (no back-off)
        assert f"delivery {MAX_DELIVERIES} of {MAX_DELIVERIES} failed" in run["error"]
    assert events_of(stack, run_id, until="failed")[-1] == "failed"
    return run_id


def test_a_run_whose_message_keeps_failing_fails_and_runs_resume_finishes_it(stack: Stack) -> None:
    run_id = fail_a_run_with_the_model_down(stack)
    resumed = resume_cli(stack, run_id)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "running again; re-sent planner" in resumed.stdout
    done = wait_for_status(stack, run_id, "completed", timeout=90)
    assert done["error"] is None
    assert done["stop_reason"]

    again = resume_cli(stack, run_id)
    assert again.returncode == 1
    assert "is completed: only a failed run is resumed" in again.stdout
    status, refused = post(stack, f"/api/runs/{run_id}/resume", {})
    assert status == 409
    assert "only a failed run is resumed" in refused["error"]
    assert post(stack, f"/api/runs/{uuid.uuid4()}/resume", {})[0] == 404
    assert post(stack, "/api/runs/bad%20id/resume", {})[0] == 400


def test_the_http_api_resumes_a_failed_run_too(stack: Stack) -> None:
    run_id = fail_a_run_with_the_model_down(stack)
    status, body = post(stack, f"/api/runs/{run_id}/resume", {})
    assert status == 202, body
    assert (body["run_id"], body["status"]) == (run_id, "running")
    assert [letter["agent"] for letter in body["resent"]] == ["planner"]
    wait_for_status(stack, run_id, "completed", timeout=90)
    assert events_of(stack, run_id, until="completed")[-2:] == ["running", "completed"]


def test_the_sweeper_fails_a_run_stranded_on_a_removed_agents_queue_and_leaves_waiting_runs(stack: Stack) -> None:
    waiting = seed_run(stack, "awaiting_input", idle=timedelta(hours=1))
    stranded = seed_run(stack, "running")
    envelope_id = f"to-retired-{uuid.uuid4().hex[:8]}"
    send(stack, RETIRED, b"{}", run_id=stranded, message_id=envelope_id)  # nobody listens there any more
    run = wait_for_status(stack, stranded, "failed", timeout=STALE_SECONDS + 20)
    assert run["error"].startswith("stranded: running with no committed progress since")
    assert events_of(stack, stranded, until="failed") == ["failed"]
    assert (run_item(stack, waiting) or {})["status"] == "awaiting_input"
    # Nothing committed, so nothing to resume from: refused with the reason.
    status, refused = post(stack, f"/api/runs/{stranded}/resume", {})
    assert status == 409
    assert "no committed state" in refused["error"]
