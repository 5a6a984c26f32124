"""Bad input at the door, as a new user or a careless client sends it, through real processes: every refusal is a
4xx (or a dead-letter reason) that names the rule, quotes at most a short prefix of what was sent, and creates no
run document."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceivedMessage, ServiceBusSubQueue

from switchboard.hosting.ingress_rules import MAX_JSON_DEPTH, MAX_REQUEST_BYTES, MAX_TASK_BYTES
from switchboard.messages import Envelope
from switchboard.protocol.messages import TaskSubmitted
from tests.support.door_http import Answer, call, run_documents, submit
from tests.support.hosted_runs import DEMO_SCRIPT, make_stack
from tests.support.stack import Stack, repo_script_root, scrub_env

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]

SHORT = 400
"""No error body is longer than this, whatever was sent."""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The product's Function App on the scripted demo model."""
    from agents.registry import TEAMS
    from switchboard.functions.entities import entities_for

    scrub_env()
    stack = make_stack(tmp_path_factory.mktemp("door"), repo_script_root(), DEMO_SCRIPT, entities_for(TEAMS))
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def _refused(answer: Answer, status: int, words: str) -> None:
    assert answer.status == status, (answer.status, answer.raw[:300])
    assert answer.headers["content-type"].startswith("application/json")
    assert words in answer.body["error"], answer.body
    assert len(answer.raw) < SHORT, answer.raw[:SHORT]


def test_oversize_and_deeply_nested_bodies_get_a_4xx_and_create_nothing(stack: Stack) -> None:
    before = run_documents(stack)
    _refused(submit(stack, {"task": "x" * 300_000}), 413, f"limit is {MAX_TASK_BYTES} bytes")
    _refused(submit(stack, {"task": "x" * 5_000_000}), 413, f"limit is {MAX_REQUEST_BYTES} bytes")
    deep = b"[" * 100_000 + b"]" * 100_000
    _refused(call(stack, "POST", "/api/runs", deep), 400, f"deeper than {MAX_JSON_DEPTH}")
    nested = {"task": "t", "options": json.loads("[" * 40 + "]" * 40)}
    _refused(submit(stack, nested), 400, "deeper")
    _refused(call(stack, "POST", "/api/runs", b"task=hello"), 400, "must be JSON")
    _refused(submit(stack, {"task": ""}), 400, "non-empty")
    assert run_documents(stack) == before


def test_errors_quote_only_a_prefix_of_what_was_sent(stack: Stack) -> None:
    before = run_documents(stack)
    team = "t" * 10_000
    answer = submit(stack, {"task": "hello", "team": team})
    _refused(answer, 400, "unknown team")
    assert "10000 characters" in answer.body["error"]
    _refused(submit(stack, {"task": "hello"}, Idempotency_Key="k" * 300), 400, "Idempotency-Key")
    long_id = "r" * 200
    _refused(call(stack, "GET", f"/api/runs/{long_id}"), 400, "invalid run id")
    _refused(call(stack, "GET", "/api/runs/bad%20run"), 400, "invalid run id")
    _refused(call(stack, "POST", f"/api/runs/{long_id}/cancel", b""), 400, "invalid run id")
    _refused(call(stack, "POST", f"/api/runs/{long_id}/input", b'{"input": "x"}'), 400, "invalid run id")
    _refused(call(stack, "POST", "/api/runs/some-run/input", b"[" * 50_000), 400, "must be JSON")
    missing = call(stack, "GET", "/api/runs/no-such-run")
    assert missing.status == 404
    assert run_documents(stack) == before


def _dead_letters(stack: Stack, queue: str, count: int, timeout: float = 60.0) -> list[ServiceBusReceivedMessage]:
    found: list[ServiceBusReceivedMessage] = []
    deadline = time.monotonic() + timeout
    with (
        ServiceBusClient.from_connection_string(stack.sb_connection) as client,
        client.get_queue_receiver(queue, sub_queue=ServiceBusSubQueue.DEAD_LETTER) as receiver,
    ):
        while len(found) < count and time.monotonic() < deadline:
            for message in receiver.receive_messages(max_message_count=10, max_wait_time=2):
                receiver.complete_message(message)
                found.append(message)
    return found


def test_the_queues_dead_letter_bad_run_ids_and_bad_bodies_with_a_short_reason(stack: Stack) -> None:
    before = run_documents(stack)
    good = json.dumps({"task": "hello", "team": "research"})
    with ServiceBusClient.from_connection_string(stack.sb_connection) as client:
        with client.get_queue_sender("tasks") as tasks:
            tasks.send_messages(ServiceBusMessage(good, message_id="a run id with spaces"))
            tasks.send_messages(ServiceBusMessage("[" * 100_000 + "]" * 100_000, message_id="deep-body-run"))
            tasks.send_messages(ServiceBusMessage(json.dumps({"task": "t", "team": "t" * 10_000}), message_id="t1"))
        stray = Envelope.wrap(TaskSubmitted(task="hello"), run_id="bad run", source="client", target="research")
        with client.get_queue_sender("research") as research:
            research.send_messages(
                ServiceBusMessage(stray.to_json(), message_id=stray.message_id, session_id="bad run")
            )
    letters = {str(m.message_id): m for m in _dead_letters(stack, "tasks", 3)}
    assert set(letters) == {"a run id with spaces", "deep-body-run", "t1"}
    assert letters["a run id with spaces"].dead_letter_reason == "InvalidRunIdError"
    assert letters["deep-body-run"].dead_letter_reason == "InvalidTaskError"
    assert "deeper" in str(letters["deep-body-run"].dead_letter_error_description)
    assert letters["t1"].dead_letter_reason == "InvalidTaskError"
    for letter in letters.values():
        assert len(str(letter.dead_letter_error_description)) < SHORT
    (agent_letter,) = _dead_letters(stack, "research", 1)
    assert agent_letter.dead_letter_reason == "InvalidRunIdError"
    assert "A-Z a-z 0-9" in str(agent_letter.dead_letter_error_description)
    assert run_documents(stack) == before
