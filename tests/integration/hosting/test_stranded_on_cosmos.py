"""The sweeper's query, `runs resume`'s partition read and item retention on the Cosmos emulator (azure-cosmos aio)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from switchboard.messages import Envelope
from switchboard.runtime.protocols import Commit, TranscriptRecord
from switchboard.state import CosmosRunPartition, CosmosRunStore, CosmosStaleRuns
from switchboard.state.retention import ItemTtls
from tests.support.hosting_agents import Job

pytestmark = pytest.mark.emulator

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


async def seed(store: CosmosRunStore, run_id: str, status: str, age: timedelta) -> str:
    await store.create_run(run_id, task="t", team="team")
    stamp = (NOW - age).isoformat()
    operations: list[dict[str, Any]] = [
        {"op": "set", "path": "/status", "value": status},
        {"op": "set", "path": "/updated_at", "value": stamp},
    ]
    await store.container.patch_item(run_id, partition_key=run_id, patch_operations=operations)
    return stamp


async def test_the_stale_query_crosses_partitions_and_finds_only_idle_active_runs(store: CosmosRunStore) -> None:
    stamps = {
        "old-running": await seed(store, "old-running", "running", timedelta(hours=3)),
        "old-queued": await seed(store, "old-queued", "queued", timedelta(hours=4)),
    }
    await seed(store, "fresh", "running", timedelta(minutes=1))
    await seed(store, "asking", "awaiting_input", timedelta(days=2))
    await seed(store, "ended", "completed", timedelta(days=2))
    stale = CosmosStaleRuns(store.container, now=lambda: NOW)
    cutoff = (NOW - timedelta(hours=2)).isoformat()
    found = await stale.stale_runs(["queued", "running"], cutoff, 10)
    assert [(run["id"], run["updated_at"]) for run in found] == [
        ("old-queued", stamps["old-queued"]),
        ("old-running", stamps["old-running"]),
    ]
    assert len(await stale.stale_runs(["queued", "running"], cutoff, 1)) == 1
    # Conditional on the timestamp read: a run that moved since is not failed.
    assert not await stale.fail_if_unchanged("old-running", (NOW - timedelta(hours=1)).isoformat(), "stranded")
    assert await stale.fail_if_unchanged("old-running", stamps["old-running"], "stranded: test")
    run = await store.read_run("old-running")
    assert run is not None
    assert (run["status"], run["error"]) == ("failed", "stranded: test")
    assert not await stale.fail_if_unchanged("old-running", stamps["old-running"], "again")
    assert not await stale.fail_if_unchanged("old-queued", "x' OR '1'='1", "injected")


def job(n: int, message_id: str, run_id: str) -> Envelope:
    return Envelope.wrap(Job(n=n), run_id=run_id, message_id=message_id, source="worker", target="worker")


async def test_the_partition_read_sees_state_outboxes_and_inbox_marks_and_reopen_is_conditional(
    store: CosmosRunStore,
) -> None:
    run_id = "resumable"
    await store.create_run(run_id, task="t", team="team")
    sent = (job(1, "m-1", run_id), job(2, "m:2", run_id))
    await store.commit(
        Commit(
            agent="worker",
            run_id=run_id,
            message_id="m-0",
            schema_version=1,
            state={"n": 1},
            expected_etag=None,
            outgoing=sent,
            transcript=(),
            run_patch={},
        )
    )
    partition = CosmosRunPartition(store.container)
    committed = await partition.committed(run_id)
    assert committed.run is not None
    assert committed.agents_with_state == {"worker"}
    assert {e.message_id for e in committed.sent} == {"m-1", "m:2"}
    assert committed.handled == {("worker", "m-0")}
    assert not await partition.reopen(run_id)  # queued, not failed
    assert await store.fail_run(run_id, "boom")
    assert await partition.reopen(run_id)
    run = await store.read_run(run_id)
    assert run is not None
    assert (run["status"], run["error"]) == ("running", None)


async def test_items_get_their_ttl_when_written_and_expire_on_the_emulator(store: CosmosRunStore) -> None:
    store.ttls = ItemTtls(hop=1, run=2)
    run_id = "short-lived"
    await store.create_run(run_id, task="t", team="team")
    await store.record(run_id, "worker:m-0:0", {"kind": "chat", "result": {"content": "hi"}})
    await store.commit(
        Commit(
            agent="worker",
            run_id=run_id,
            message_id="m-0",
            schema_version=1,
            state={},
            expected_etag=None,
            outgoing=(job(1, "m-1", run_id),),
            transcript=(TranscriptRecord(0, {"source": "worker", "content": "hi"}),),
            run_patch={},
        )
    )
    items = {
        doc["type"]: doc.get("ttl")
        async for doc in store.container.query_items("SELECT * FROM c", partition_key=run_id)
    }
    assert items == {"run": 2, "state": 2, "entry": 2, "inbox": 1, "outbox": 1, "step": 1}
    assert await store.read(run_id, 0) == [{"source": "worker", "content": "hi"}]  # no ttl in the entry's fields
    await asyncio.sleep(2.5)
    left = [doc async for doc in store.container.query_items("SELECT * FROM c", partition_key=run_id)]
    assert left == []
