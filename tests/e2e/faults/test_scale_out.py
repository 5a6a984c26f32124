"""Scale-out: two `switchboard host` processes share one namespace and account, as Function instances do.

Six runs go to both hosts; one host is killed with SIGKILL mid-run and not restarted (and, in a second test, every
connection of both hosts is cut mid-run). Every run must complete with
exactly the expected transcript, both hosts must have handled hops (their invocation log lines show it), each
model step is asked once (a second time only for a step in flight on the killed host at the kill: its hop was not
committed), and the side-effecting tool's ledger holds each effect exactly once.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from tests.support.faults import model_faults, servicebus_fault
from tests.support.hosted_runs import post_tasks, runs_container
from tests.support.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

RUNS = 6
TURNS = 6  # worker, checker, worker, checker, worker, checker
CALLS_PER_RUN = (TURNS // 2) * 3  # the worker asks twice a turn (tool call, answer), the checker once
EXPECTED = [
    ("worker" if t % 2 == 0 else "checker", f"worker turn {t // 2} done" if t % 2 == 0 else f"checked {t // 2}")
    for t in range(TURNS)
]
HOP_IN_FLIGHT_SECONDS = 5.0  # a worker hop: two answers slowed to 0.4 s each, one tool call, reads and a commit
_INVOCATION = re.compile(r"invocation function=(\S+) message_id=\S+ session=(\S+) delivery=\d+ outcome=(\S+)")


def _model_requests(stack: Stack) -> list[dict[str, Any]]:
    import urllib.request

    with urllib.request.urlopen(f"{stack.model_url}/_script/requests", timeout=10) as response:
        return list(json.loads(response.read())["requests"])


def _invocations(stack: Stack, host: str) -> list[tuple[str, str, str]]:
    """(function, session, outcome) of every invocation a host logged, across its restarts' log files."""
    found: list[tuple[str, str, str]] = []
    for log in sorted(Path(stack.root).glob(f"{host}-*.log")):
        found += [(m[1], m[2], m[3]) for m in _INVOCATION.finditer(log.read_text(errors="replace"))]
    return found


def _statuses(stack: Stack, run_ids: list[str]) -> dict[str, str]:
    found = runs_container(stack).query_items(
        "SELECT c.id, c.status FROM c WHERE c.type = 'run'", enable_cross_partition_query=True
    )
    return {item["id"]: item["status"] for item in found if item["id"] in run_ids}


def _transcript(stack: Stack, run_id: str) -> list[tuple[str, str]]:
    entries = runs_container(stack).query_items(
        "SELECT * FROM c WHERE c.type = 'entry' ORDER BY c.index", partition_key=run_id
    )
    return [(entry["source"], entry["content"]) for entry in entries]


def _wait(condition: Any, what: str, stack: Stack, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout}s\n{stack.logs()}")
        time.sleep(0.1)


def _start_two_hosts(stack: Stack) -> list[str]:
    """Start the stack with two hosts and submit the runs (their model answering slowly); returns the run ids."""
    stack.start_servicebus()
    stack.start_cosmos()
    stack.start_model()
    stack.start_host("host")
    stack.start_host("host2")
    # Slow answers keep hops in flight long enough for both hosts to take part and for a fault to land mid-hop.
    model_faults(stack, delay_seconds=0.4)
    run_ids = post_tasks(stack, RUNS)
    return run_ids


def _assert_all_completed_exactly(stack: Stack, run_ids: list[str]) -> None:
    done: dict[str, str] = {}
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        done = _statuses(stack, run_ids)
        if len(done) == RUNS and all(status in ("completed", "failed") for status in done.values()):
            break
        time.sleep(0.5)
    assert done == dict.fromkeys(run_ids, "completed"), stack.logs()
    for run_id in run_ids:
        assert _transcript(stack, run_id)[1:] == EXPECTED, run_id


def _repeated_steps(stack: Stack, fault_time: float, first_ask_by: float) -> dict[tuple[str, str, int], list[float]]:
    """Steps asked more than once; each must be a step of a hop in flight at the fault, asked once more after it.

    `first_ask_by` bounds the first ask: a killed host asks nothing after the kill, but a host that only lost its
    connection finishes the hop it holds, so a step of that hop may first be asked shortly after the drop.
    """
    asked: dict[tuple[str, str, int], list[float]] = defaultdict(list)
    for request in _model_requests(stack):
        asked[(request["run_id"], request["agent"], request["index"])].append(request["at"])
    assert len(asked) == RUNS * CALLS_PER_RUN
    repeated = {step: sorted(times) for step, times in asked.items() if len(times) > 1}
    for step, times in repeated.items():
        assert len(times) == 2, (step, times)
        assert times[0] <= first_ask_by, (step, times, first_ask_by)
        assert fault_time < times[1], (step, times, fault_time)
    per_run = Counter(run_id for run_id, _, _ in repeated)
    assert all(count <= 2 for count in per_run.values()), per_run  # at most one uncommitted hop per run
    return repeated


def _effects_once(stack: Stack) -> int:
    """Check every tool effect is in the ledger exactly once; returns how many tool calls ran again under their key."""
    ledger = sqlite3.connect(stack.extra_env["CRASH_EFFECTS_DB"])
    effects = ledger.execute("SELECT key, note FROM effects").fetchall()
    attempts = ledger.execute("SELECT key FROM attempts").fetchall()
    assert len(effects) == RUNS * (TURNS // 2)
    assert Counter(note for _, note in effects) == {f"effect {k}": RUNS for k in range(TURNS // 2)}
    assert {key for (key,) in attempts} == {key for key, _ in effects}
    return len(attempts) - len(effects)


def test_two_hosts_share_runs_and_losing_one_loses_and_repeats_nothing(crash_app_stack: Stack) -> None:
    stack = crash_app_stack
    run_ids = _start_two_hosts(stack)
    _wait(
        lambda: bool(_invocations(stack, "host2")) and len(_model_requests(stack)) >= RUNS * CALLS_PER_RUN // 3,
        "host2 handling hops",
        stack,
        timeout=90,
    )
    seen = len(_model_requests(stack))
    _wait(lambda: len(_model_requests(stack)) > seen, "a model call in flight", stack, timeout=30)
    kill_time = time.time()
    stack.kill("host2")

    _assert_all_completed_exactly(stack, run_ids)
    # Both instances handled hops; the survivor finished what the lost one held.
    handled = {
        host: Counter(f for f, _, outcome in _invocations(stack, host) if outcome == "completed")
        for host in ("host", "host2")
    }
    assert sum(handled["host2"].values()) >= 1, handled
    assert sum(handled["host"].values()) >= 1, handled
    assert [r for r in _model_requests(stack) if r["at"] > kill_time], "no run was in flight at the kill"
    # Only a call the killed host had in flight is asked again, once, by the survivor after the kill.
    repeated = _repeated_steps(stack, kill_time, first_ask_by=kill_time)
    re_executed = _effects_once(stack)
    print(
        f"scale-out: host handled {dict(handled['host'])}, host2 {dict(handled['host2'])} before its kill; "
        f"{len(repeated)} model steps re-asked after the kill, {re_executed} tool calls re-executed"
    )


def test_two_hosts_losing_every_connection_mid_run_lose_and_repeat_nothing(crash_app_stack: Stack) -> None:
    stack = crash_app_stack
    run_ids = _start_two_hosts(stack)
    _wait(lambda: len(_model_requests(stack)) >= RUNS * CALLS_PER_RUN // 3, "runs under way", stack, timeout=90)
    drop_time = time.time()
    # Every AMQP connection of both hosts is cut: their session locks go back to the broker while hops run.
    dropped = servicebus_fault(stack, "drop-connections")["dropped"]
    dropped_by = time.time()
    assert dropped >= 2

    _assert_all_completed_exactly(stack, run_ids)
    assert [r for r in _model_requests(stack) if r["at"] > drop_time], "no run was in flight at the drop"
    # A hop under way at the drop runs to its end (two slow answers, a tool call) while its message goes elsewhere.
    repeated = _repeated_steps(stack, drop_time, first_ask_by=dropped_by + HOP_IN_FLIGHT_SECONDS)
    re_executed = _effects_once(stack)
    print(f"connections dropped: {dropped}; {len(repeated)} model steps re-asked, {re_executed} tool calls re-executed")
