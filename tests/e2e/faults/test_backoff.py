"""Transient faults wait instead of burning deliveries (issue 24, point 2), through real processes.

The product's research team runs on `switchboard host` against the Service Bus and Cosmos emulators and the
scripted model. Every queue allows only 3 deliveries here, so a host that abandoned a message on each transient
failure (Service Bus redelivers at once) would dead-letter it within seconds of any of these faults; the back-off
instead completes the message and schedules a copy, so the runs wait the fault out. Short back-off settings keep
each test under a minute.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Iterator

import pytest
from azure.servicebus import ServiceBusClient

from agents.registry import RESEARCH_TEAM, TEAMS
from switchboard.functions.entities import entities_for
from tests.support.backoff_checks import (
    dead_letters,
    entry_count,
    host_log_since,
    invocations,
    model_steps,
    wait_all_ended,
)
from tests.support.faults import clear_faults, cosmos_faults, fault_views, model_faults, servicebus_fault
from tests.support.hosted_runs import DEMO_SCRIPT, expected_transcript, make_stack, start, transcript_items
from tests.support.stack import Stack, repo_script_root, scrub_env

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

TEAM = RESEARCH_TEAM.name
STEPS_PER_RUN = 10  # the research demo: planner 2, researcher 4, writer 2, reviewer 2
QUEUES = [*entities_for(TEAMS).agent_queues().values(), "tasks"]
BACKOFF_ENV = {
    "SWITCHBOARD_RETRY_BASE_SECONDS": "0.5",
    "SWITCHBOARD_RETRY_MAX_DELAY_SECONDS": "4",
    # One inline retry in the model client, then the host's back-off takes over.
    "SWITCHBOARD_MODEL_MAX_ATTEMPTS": "2",
}
_RESCHEDULED = re.compile(r"failed with (\w+): retry \d+ scheduled")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The product app on every emulator, with 3 deliveries per message and short back-off settings."""
    scrub_env()
    root = tmp_path_factory.mktemp("backoff")
    stack = make_stack(root, repo_script_root(), DEMO_SCRIPT, entities_for(TEAMS), MaxDeliveryCount=3)
    stack.extra_env.update(BACKOFF_ENV)
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


@pytest.fixture
def faulted(stack: Stack) -> Iterator[Stack]:
    """The stack, with every fault cleared after the test (and the host's settings restored if a test changed them)."""
    try:
        yield stack
    finally:
        clear_faults(stack)
        if any(stack.extra_env.get(name) != value for name, value in BACKOFF_ENV.items()) or (
            "SWITCHBOARD_RETRY_BUDGET_SECONDS" in stack.extra_env
        ):
            stack.extra_env.pop("SWITCHBOARD_RETRY_BUDGET_SECONDS", None)
            stack.extra_env.update(BACKOFF_ENV)
            stack.stop("host")
            stack.start_host()


def start_runs(stack: Stack, count: int, label: str) -> dict[str, str]:
    """Start `count` research runs through the HTTP API; run id → task."""
    tasks = [f"{label} {uuid.uuid4().hex[:8]}" for _ in range(count)]
    return {start(stack, TEAM, task): task for task in tasks}


def assert_waited_it_out(stack: Stack, runs: dict[str, str], log: str, error_type: str) -> None:
    """Every run completed with the undisturbed transcript; nothing dead-lettered, redelivered or asked twice."""
    rescheduled = _RESCHEDULED.findall(log)
    assert error_type in rescheduled, f"no {error_type} was backed off:\n{log[-4000:]}"
    assert dead_letters(stack, QUEUES) == {}
    deliveries = [delivery for _, _, delivery, _ in invocations(log)]
    # Each retry is a new message (delivery 1); 2 allows one lock lost to a slow hop, 3 would be dead-lettered.
    assert max(deliveries) <= 2, sorted(deliveries)
    steps = [step for step in model_steps(stack) if step["run_id"] in runs]
    assert len(steps) == STEPS_PER_RUN * len(runs)
    assert {step["count"] for step in steps} == {1}, [s for s in steps if s["count"] != 1]
    for run_id, task in runs.items():
        entries = transcript_items(stack, run_id)
        assert [(e["source"], e["content"]) for e in entries] == asyncio.run(expected_transcript(task))


def test_a_model_throttled_for_twenty_seconds_leaves_every_run_completed(faulted: Stack) -> None:
    stack = faulted
    mark = len(stack.processes["host"].log())
    model_faults(stack, status=429, retry_after=2, for_seconds=20)
    began = time.monotonic()
    runs = start_runs(stack, 3, "throttled model")
    ended = wait_all_ended(stack, runs, timeout=120)
    assert {run["status"] for run in ended.values()} == {"completed"}, ended
    assert time.monotonic() - began > 15  # they waited the throttling out rather than slipping past it
    assert fault_views(stack)["model"]["injected"] >= 3
    assert_waited_it_out(stack, runs, host_log_since(stack, mark), "ModelRateLimitedError")


def test_a_throttled_cosmos_leaves_every_run_completed(faulted: Stack) -> None:
    stack = faulted
    mark = len(stack.processes["host"].log())
    runs = start_runs(stack, 3, "throttled store")
    # The Cosmos SDK's own nine retries (0.2 s apart) give up after about 2 s, so hops fail and are backed off;
    # abandoned instead, a message would use up its 3 deliveries in about 6 s of this 12 s outage.
    cosmos_faults(stack, status=429, for_seconds=12, retry_after_ms=200)
    ended = wait_all_ended(stack, runs, timeout=150)
    assert {run["status"] for run in ended.values()} == {"completed"}, ended
    assert fault_views(stack)["cosmos"]["injected"] > 20
    assert_waited_it_out(stack, runs, host_log_since(stack, mark), "StoreUnavailableError")


def test_a_busy_service_bus_leaves_every_run_completed(faulted: Stack) -> None:
    stack = faulted
    mark = len(stack.processes["host"].log())
    runs = start_runs(stack, 3, "busy bus")
    deadline = time.monotonic() + 30
    while not any(entry_count(stack, run_id) for run_id in runs):
        assert time.monotonic() < deadline, stack.logs()
        time.sleep(0.1)
    # The next model answers come 2 s late, so those hops are mid-handler when the namespace turns busy, and their
    # sends are refused for longer than the SDK's own retries last (about 12 s).
    model_faults(stack, delay_seconds=2, count=3)
    time.sleep(0.3)
    servicebus_fault(stack, "server-busy", for_seconds=20)
    ended = wait_all_ended(stack, runs, timeout=150)
    assert {run["status"] for run in ended.values()} == {"completed"}, ended
    assert fault_views(stack)["servicebus"]["injected"]["server-busy"] > 0
    assert_waited_it_out(stack, runs, host_log_since(stack, mark), "BusBusyError")


def test_past_a_tiny_retry_budget_a_permanent_outage_fails_the_run_with_the_last_error(faulted: Stack) -> None:
    stack = faulted
    stack.extra_env["SWITCHBOARD_RETRY_BUDGET_SECONDS"] = "3"
    stack.stop("host")
    stack.start_host()
    model_faults(stack, status=500)  # until cleared
    (run_id,) = start_runs(stack, 1, "model down")
    ended = wait_all_ended(stack, [run_id], timeout=60)
    run = ended[run_id]
    assert run["status"] == "failed"
    assert run["error"].startswith("ModelUnavailableError: model endpoint failed (HTTP 500)")
    assert "of retries" in run["error"]
    assert dead_letters(stack, QUEUES) == {}
    statuses: list[str] = []
    with (
        ServiceBusClient.from_connection_string(stack.sb_connection) as client,
        client.get_subscription_receiver("run-events", "monitor", max_wait_time=5) as receiver,
    ):
        for message in receiver:
            receiver.complete_message(message)
            if (message.application_properties or {}).get(b"run_id") == run_id.encode():
                statuses.append(str(message.subject))
            if "failed" in statuses:
                break
    assert statuses[-1] == "failed"
