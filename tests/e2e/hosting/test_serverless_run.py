"""The sample team's task through the real serverless path: emulators, scripted model and `switchboard host` as
separate processes, the task posted with the plain azure-servicebus SDK (and through the HTTP API), the run
followed in Cosmos DB with the plain azure-cosmos SDK.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage

from tests.support.hosted_runs import expected_transcript, post, transcript_items, wait_for_status
from tests.support.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


async def test_task_posted_with_the_plain_sdk_completes_with_the_expected_transcript(product_stack: Stack) -> None:
    task = "How does Switchboard make agent effects happen exactly once?"
    run_id = str(uuid.uuid4())
    with (
        ServiceBusClient.from_connection_string(product_stack.sb_connection) as client,
        client.get_queue_sender("tasks") as sender,
    ):
        sender.send_messages(ServiceBusMessage(json.dumps({"task": task, "team": "research"}), message_id=run_id))
        # The same MessageId posted again must not start a second run.
        sender.send_messages(ServiceBusMessage(json.dumps({"task": task, "team": "research"}), message_id=run_id))
    run = wait_for_status(product_stack, run_id, "completed")
    assert run["team"] == "research"
    assert run["task"] == task
    assert "APPROVE" in run["stop_reason"]
    entries = transcript_items(product_stack, run_id)
    assert [(e["source"], e["content"]) for e in entries] == await expected_transcript(task)
    assert [e["index"] for e in entries] == list(range(len(entries)))
    # Usage is stored per agent and counts every participant that spoke.
    assert set(run["usage"]) == {"planner", "researcher", "writer", "reviewer"}


async def test_the_http_api_runs_a_task_and_refuses_bad_requests_and_keys(product_stack: Stack) -> None:
    task = "Explain the inbox and outbox in two sentences"
    status, body = post(product_stack, "/api/runs", {"task": task, "team": "research"})
    assert status == 202, body
    run_id = body["run_id"]
    assert body["status_url"].endswith(f"/api/runs/{run_id}")
    deadline = time.monotonic() + 90
    while True:
        status, view = post(product_stack, f"/api/runs/{run_id}")
        assert status == 200, view
        if view["status"] == "completed" or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.3)
    assert view["status"] == "completed", view
    assert [(e["source"], e["content"]) for e in view["transcript"]] == await expected_transcript(task)
    assert set(view["usage"]) == {"planner", "researcher", "writer", "reviewer"}

    assert post(product_stack, "/api/runs", {"task": task}, key="wrong")[0] == 401
    assert post(product_stack, "/api/runs", {"task": task}, key=None)[0] == 401
    assert post(product_stack, "/api/runs", {"team": "research"})[0] == 400
    assert post(product_stack, "/api/runs", {"task": "x", "team": "nope"})[0] == 400
    assert post(product_stack, f"/api/runs/{uuid.uuid4()}")[0] == 404
    assert post(product_stack, f"/api/runs/{run_id}/cancel")[0] == 409
    assert post(product_stack, "/api/health", key=None)[0] == 200


def dead_letters(stack: Stack, queue: str, expected: int) -> list[Any]:
    from azure.servicebus import ServiceBusSubQueue

    found: list[Any] = []
    with (
        ServiceBusClient.from_connection_string(stack.sb_connection) as client,
        client.get_queue_receiver(queue, sub_queue=ServiceBusSubQueue.DEAD_LETTER, max_wait_time=20) as receiver,
    ):
        while len(found) < expected:
            batch = receiver.receive_messages(max_message_count=expected - len(found), max_wait_time=20)
            if not batch:
                break
            for message in batch:
                receiver.complete_message(message)
            found += batch
    return found


def test_bad_input_is_dead_lettered_at_once_with_its_reason(product_stack: Stack) -> None:
    good = {
        "message_id": "m-1",
        "version": 1,
        "run_id": "poison-run",
        "created_at": "2026-01-01T00:00:00Z",
        "target": "planner",
        "payload": {},
    }
    with ServiceBusClient.from_connection_string(product_stack.sb_connection) as client:
        with client.get_queue_sender("planner") as sender:
            sender.send_messages(
                [
                    ServiceBusMessage(b"not json at all", session_id="poison-run", message_id="p-1"),
                    ServiceBusMessage(
                        json.dumps({**good, "type": "no.such.Type"}), session_id="poison-run", message_id="p-2"
                    ),
                ]
            )
        with client.get_queue_sender("tasks") as sender:
            sender.send_messages(
                [
                    ServiceBusMessage(b"{", message_id=str(uuid.uuid4())),
                    ServiceBusMessage(json.dumps({"task": "x", "team": "no-such-team"}), message_id=str(uuid.uuid4())),
                ]
            )
    planner = {m.message_id: m for m in dead_letters(product_stack, "planner", 2)}
    assert planner["p-1"].dead_letter_reason == "InvalidEnvelopeError"
    assert planner["p-2"].dead_letter_reason == "UnknownMessageTypeError"
    assert "no.such.Type" in (planner["p-2"].dead_letter_error_description or "")
    tasks = dead_letters(product_stack, "tasks", 2)
    assert sorted(m.dead_letter_reason for m in tasks) == ["InvalidTaskError", "InvalidTaskError"]
    # At once: the queues allow 10 deliveries; a retried message would have been delivered again and again.
    assert all((m.delivery_count or 0) <= 1 for m in [*planner.values(), *tasks])


def test_each_status_change_is_one_event_on_run_events(product_stack: Stack) -> None:
    run_id = str(uuid.uuid4())
    with ServiceBusClient.from_connection_string(product_stack.sb_connection) as client:
        with client.get_queue_sender("tasks") as sender:
            sender.send_messages(ServiceBusMessage(json.dumps({"task": "events please"}), message_id=run_id))
        wait_for_status(product_stack, run_id, "completed")
        statuses: list[str] = []
        with client.get_subscription_receiver("run-events", "monitor", max_wait_time=5) as receiver:
            for message in receiver:
                receiver.complete_message(message)
                run_property = (message.application_properties or {}).get(b"run_id", b"")
                if isinstance(run_property, bytes) and run_property.decode() == run_id:
                    statuses.append(str(message.subject))
                if "completed" in statuses:
                    break
    assert statuses == ["queued", "running", "completed"]
