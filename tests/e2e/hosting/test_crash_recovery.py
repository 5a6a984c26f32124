"""Crash test: 20 concurrent runs while `switchboard host` is killed with SIGKILL at random moments and restarted.

Every run must complete with exactly the expected turns; a model step is requested again only when a kill fell
between its two requests (a step whose answer was checkpointed is replayed from Cosmos, never re-asked); and the
side-effecting tool's ledger holds exactly one effect per tool step, whatever was re-executed.
"""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.cosmos import CosmosClient

from tests.emulators.cosmos.cosmos_harness import KEY as COSMOS_KEY
from tests.support.hosted_runs import CRASH_APP, make_stack, post_tasks
from tests.support.stack import Stack, load_app_module, scrub_env

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

RUNS = 20
KILLS = 5
TURNS = 6  # worker, checker, worker, checker, worker, checker
EXPECTED = [
    ("worker" if t % 2 == 0 else "checker", f"worker turn {t // 2} done" if t % 2 == 0 else f"checked {t // 2}")
    for t in range(TURNS)
]


@pytest.fixture
def crash_stack(tmp_path: Path) -> Iterator[Stack]:
    module = load_app_module(CRASH_APP / "function_app.py")
    from switchboard.functions.entities import entities_for

    scrub_env()
    # A short lock so a killed host's sessions come back quickly (the restarted host takes them over).
    stack = make_stack(tmp_path, CRASH_APP, CRASH_APP / "script.json", entities_for(module.TEAMS), LockDuration="PT5S")
    stack.extra_env["CRASH_EFFECTS_DB"] = str(tmp_path / "effects.sqlite")
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def statuses(stack: Stack, run_ids: list[str]) -> dict[str, str]:
    container = (
        CosmosClient(stack.cosmos_endpoint, COSMOS_KEY).get_database_client("switchboard").get_container_client("runs")
    )
    found = container.query_items(
        "SELECT c.id, c.status FROM c WHERE c.type = 'run'", enable_cross_partition_query=True
    )
    return {item["id"]: item["status"] for item in found if item["id"] in run_ids}


def transcript(stack: Stack, run_id: str) -> list[dict[str, Any]]:
    container = (
        CosmosClient(stack.cosmos_endpoint, COSMOS_KEY).get_database_client("switchboard").get_container_client("runs")
    )
    return list(container.query_items("SELECT * FROM c WHERE c.type = 'entry' ORDER BY c.index", partition_key=run_id))


def model_requests(stack: Stack) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{stack.model_url}/_script/requests", timeout=10) as response:
        body = json.loads(response.read())
    return list(body["requests"] if isinstance(body, dict) else body)


def test_runs_survive_host_kills_without_lost_or_duplicated_effects(crash_stack: Stack) -> None:
    stack = crash_stack
    run_ids = post_tasks(stack, RUNS)

    rng = random.Random(8)
    kill_times: list[float] = []
    deadline = time.monotonic() + 300
    while len(kill_times) < KILLS:
        # Kill only once the restarted host is doing work (a few more model calls), at a random moment after that,
        # so kills land mid-handler rather than on a host still starting.
        seen = len(model_requests(stack))
        while len(model_requests(stack)) < seen + 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.4))
        kill_times.append(time.time())
        stack.kill("host")
        stack.start_host()
        assert time.monotonic() < deadline, stack.logs()

    done: dict[str, str] = {}
    while time.monotonic() < deadline:
        done = statuses(stack, run_ids)
        if len(done) == RUNS and all(status in ("completed", "failed") for status in done.values()):
            break
        time.sleep(1)
    assert done == dict.fromkeys(run_ids, "completed"), stack.logs()
    # At least one run must have been in flight across the kills, or the test proved nothing.
    requests = model_requests(stack)
    assert min(r["at"] for r in requests) < kill_times[-1]

    for run_id in run_ids:
        entries = transcript(stack, run_id)
        assert [(e["source"], e["content"]) for e in entries[1:]] == EXPECTED, run_id
        assert [e["index"] for e in entries] == list(range(TURNS + 1))

    asked: dict[tuple[str, str, int], list[float]] = defaultdict(list)
    for request in requests:
        asked[(request["run_id"], request["agent"], request["index"])].append(request["at"])
    assert len(asked) == RUNS * (TURNS // 2) * 3  # worker: 2 calls a turn, checker: 1
    for step, times in asked.items():
        times.sort()
        for first, again in itertools.pairwise(times):
            assert any(first <= kill <= again for kill in kill_times), f"step {step} re-asked with no crash between"

    ledger = sqlite3.connect(stack.extra_env["CRASH_EFFECTS_DB"])
    effects = ledger.execute("SELECT key, note FROM effects").fetchall()
    attempts = ledger.execute("SELECT key FROM attempts").fetchall()
    assert len(effects) == RUNS * (TURNS // 2)
    assert {note for _, note in effects} == {f"effect {k}" for k in range(TURNS // 2)}
    assert {key for (key,) in attempts} == {key for key, _ in effects}
    reasked = sum(len(times) - 1 for times in asked.values())
    print(
        f"crash test: {len(kill_times)} kills, {reasked} model steps re-asked after a kill, "
        f"{len(attempts) - len(effects)} tool calls re-executed under their key"
    )
