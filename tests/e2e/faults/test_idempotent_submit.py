"""Idempotent submit through real processes: `POST /api/runs` with an `Idempotency-Key` (and `switchboard submit
--idempotency-key`) names one run however often it is retried, another body under the same key is refused, and a
send that Service Bus refuses (server busy) answers 503 with Retry-After and leaves no `queued` run behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from switchboard.hosting.ingress_rules import run_id_for_key
from tests.support.cli import run_switchboard
from tests.support.door_http import run_documents, settings_file, submit
from tests.support.faults import servicebus_fault
from tests.support.hosted_runs import DEMO_SCRIPT, make_stack, run_item, wait_until
from tests.support.stack import Stack, repo_script_root, scrub_env

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The product's Function App on the scripted demo model."""
    from agents.registry import TEAMS
    from switchboard.functions.entities import entities_for

    scrub_env()
    stack = make_stack(tmp_path_factory.mktemp("idem"), repo_script_root(), DEMO_SCRIPT, entities_for(TEAMS))
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def _started(stack: Stack, run_id: str) -> bool:
    run = run_item(stack, run_id)
    return run is not None and run["status"] != "queued"


def test_a_retry_with_the_same_key_names_the_same_run_and_another_body_is_refused(stack: Stack) -> None:
    body = {"task": "Write a short note on idempotency keys", "team": "research"}
    first = submit(stack, body, Idempotency_Key="order-1001")
    assert first.status == 202, first.body
    run_id = first.body["run_id"]
    assert run_id == run_id_for_key("order-1001")
    assert "idempotent-replayed" not in first.headers
    again = submit(stack, body, Idempotency_Key="order-1001")
    assert again.status == 202, again.body
    assert again.body == first.body
    assert again.headers["idempotent-replayed"] == "true"
    other = submit(stack, {**body, "task": "Something else"}, Idempotency_Key="order-1001")
    assert other.status == 422
    assert "different request" in other.body["error"]
    wait_until(lambda: _started(stack, run_id), "the run starting", stack)
    late = submit(stack, body, Idempotency_Key="order-1001")
    assert (late.status, late.body["run_id"]) == (202, run_id)
    same_task = [doc for doc in run_documents(stack) if doc["task"] == body["task"]]
    assert [doc["id"] for doc in same_task] == [run_id]


def test_a_refused_send_answers_503_and_leaves_no_queued_run(stack: Stack) -> None:
    before = {doc["id"] for doc in run_documents(stack)}
    body = {"task": "Summarise the outage report", "team": "research"}
    servicebus_fault(stack, "server-busy", for_seconds=120)
    try:
        busy = submit(stack, body, Idempotency_Key="outage-7")
        plain = submit(stack, body)
    finally:
        servicebus_fault(stack, "server-busy", for_seconds=0)
    for answer in (busy, plain):
        assert answer.status == 503, answer.body
        assert int(answer.headers["retry-after"]) > 0
        assert "try again" in answer.body["error"]
    assert {doc["id"] for doc in run_documents(stack)} == before  # nothing left behind
    retried = submit(stack, body, Idempotency_Key="outage-7")
    assert retried.status == 202, retried.body
    assert retried.body["run_id"] == run_id_for_key("outage-7")
    assert "idempotent-replayed" not in retried.headers  # the first attempt left nothing to replay
    wait_until(lambda: _started(stack, retried.body["run_id"]), "the retried run starting", stack)


def test_the_cli_submits_once_per_key(stack: Stack, tmp_path: Path) -> None:
    settings = str(settings_file(stack, tmp_path))
    args = ("submit", "Draft release notes", "--team", "research", "--idempotency-key", "cli-key-1")
    first = run_switchboard(*args, "--settings", settings)
    assert first.returncode == 0, first.stdout + first.stderr
    run_id = run_id_for_key("cli-key-1")
    assert run_id in first.stdout
    assert "queued" in first.stdout
    second = run_switchboard(*args, "--settings", settings)
    assert second.returncode == 0, second.stdout + second.stderr
    assert run_id in second.stdout
    assert "already submitted" in second.stdout
    # The HTTP API and the CLI share the key space: the same key names the same run.
    http = submit(stack, {"task": "Draft release notes", "team": "research"}, Idempotency_Key="cli-key-1")
    assert (http.status, http.body["run_id"]) == (202, run_id)
    clash = run_switchboard(
        "submit", "Other notes", "--team", "research", "--idempotency-key", "cli-key-1", "--settings", settings
    )
    assert clash.returncode == 1
    assert "different request" in " ".join(clash.stdout.split())
