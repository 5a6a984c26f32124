"""Retention by Cosmos TTL (docs/hosting.md, "Stranded runs and retention"), through real processes.

A run on the product's function_app.py with a 5-second hop retention: its inbox marks, outboxes and steps carry
that `ttl` and the Cosmos emulator expires them; its run document, agent state and transcript stay.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.hosted_runs import DEMO_SCRIPT, make_stack, post, runs_container, wait_for_status
from tests.support.stack import Stack, repo_script_root, scrub_env

pytestmark = pytest.mark.emulator

HOP_RETENTION = 5


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from agents.registry import TEAMS
    from switchboard.functions.entities import entities_for

    scrub_env()
    running = make_stack(tmp_path_factory.mktemp("retention"), repo_script_root(), DEMO_SCRIPT, entities_for(TEAMS))
    running.extra_env["SWITCHBOARD_HOP_RETENTION_SECONDS"] = str(HOP_RETENTION)
    try:
        running.start_all()
        yield running
    finally:
        running.stop_all()


def items_of(stack: Stack, run_id: str) -> list[dict[str, Any]]:
    return list(runs_container(stack).query_items("SELECT * FROM c", partition_key=run_id))


def test_hop_items_expire_after_the_retention_and_the_run_and_its_transcript_stay(stack: Stack) -> None:
    status, body = post(stack, "/api/runs", {"task": "a report on retention", "team": "research"})
    assert status == 202, body
    run_id = str(body["run_id"])
    wait_for_status(stack, run_id, "completed", timeout=90)
    kept = items_of(stack, run_id)
    ttls = {(item["type"], item.get("ttl")) for item in kept}
    # Written with their ttl (no extra request): the hop items carry it, nothing else does. The last hop's
    # inbox mark and outbox are a moment old; earlier ones may have expired already.
    hop_kinds = {"inbox", "outbox", "step", "attachment"}  # attachment: the answer an outbox's TurnCompleted names
    assert {kind for kind, ttl in ttls if ttl is not None} == {kind for kind, _ in ttls} & hop_kinds
    assert {ttl for kind, ttl in ttls if kind in hop_kinds} == {HOP_RETENTION}
    assert {kind for kind, ttl in ttls if ttl is None} == {"run", "state", "entry"}
    counts_before = Counter(item["type"] for item in kept)
    assert counts_before["outbox"] >= 1
    entries = counts_before["entry"]
    assert entries > 0

    deadline = time.monotonic() + HOP_RETENTION + 15
    left = kept
    while time.monotonic() < deadline:
        left = items_of(stack, run_id)
        if not hop_kinds & {item["type"] for item in left}:
            break
        time.sleep(0.5)
    counts_after = Counter(item["type"] for item in left)
    assert counts_after == Counter(run=1, state=counts_before["state"], entry=entries), counts_after
    status, view = post(stack, f"/api/runs/{run_id}")
    assert status == 200
    assert view["status"] == "completed"
    assert len(view["transcript"]) == entries
