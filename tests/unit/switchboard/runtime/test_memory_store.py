"""The in-memory store keeps the Cosmos store's rules: atomic commits, inbox marks, etags, journaled steps."""

from __future__ import annotations

from typing import Any

import pytest

from switchboard.errors import DuplicateMessageError, StateConflictError
from switchboard.messages import Envelope
from switchboard.runtime import Commit, InMemoryStateStore, StateStore, StepJournal, TranscriptLog, TranscriptRecord
from switchboard.runtime.protocols import Inbox
from tests.unit.switchboard.sample_agents import Ping

RUN = "run-1"


def _commit(
    message_id: str, etag: str | None, *, count: int = 1, entries: tuple[int, ...] = (), **extra: Any
) -> Commit:
    outgoing = (Envelope.wrap(Ping(n=count), run_id=RUN, message_id=f"out-{message_id}", target="echo"),)
    return Commit(
        agent="counter",
        run_id=RUN,
        message_id=message_id,
        schema_version=1,
        state={"count": count},
        expected_etag=etag,
        outgoing=outgoing,
        transcript=tuple(TranscriptRecord(i, {"source": "a", "content": f"e{i}"}) for i in entries),
        **extra,
    )


def test_the_memory_store_implements_every_port() -> None:
    store = InMemoryStateStore()
    for port in (StateStore, StepJournal, TranscriptLog, Inbox):
        assert isinstance(store, port)


async def test_a_commit_stores_state_outbox_transcript_and_run_patch_together() -> None:
    store = InMemoryStateStore()
    etag = await store.commit(_commit("m1", None, entries=(0, 1), run_patch={"status": "running"}))
    stored = await store.load("counter", RUN)
    assert stored is not None
    assert (stored.data, stored.etag) == ({"count": 1}, etag)
    outbox = await store.outbox("counter", RUN, "m1")
    assert outbox is not None
    assert [e.message_id for e in outbox] == ["out-m1"]
    assert [e["content"] for e in await store.read(RUN, 0)] == ["e0", "e1"]
    assert store.run_document(RUN) == {"id": RUN, "run_id": RUN, "status": "running"}
    assert await store.outbox("counter", RUN, "never-handled") is None


async def test_a_handled_message_is_a_duplicate_and_changes_nothing() -> None:
    store = InMemoryStateStore()
    etag = await store.commit(_commit("m1", None))
    # Even with a current etag, the inbox mark wins: the message was handled.
    with pytest.raises(DuplicateMessageError) as info:
        await store.commit(_commit("m1", etag, count=2, entries=(5,)))
    assert info.value.retryable
    stored = await store.load("counter", RUN)
    assert stored is not None
    assert stored.data == {"count": 1}
    assert await store.read(RUN, 0) == []
    assert store.commits == 1


async def test_a_stale_etag_is_a_conflict_and_stores_nothing_of_the_commit() -> None:
    store = InMemoryStateStore()
    etag = await store.commit(_commit("m1", None))
    await store.commit(_commit("m2", etag, count=2))
    with pytest.raises(StateConflictError) as info:
        await store.commit(_commit("m3", etag, count=3, entries=(0,), run_patch={"status": "failed"}))
    assert info.value.retryable
    stored = await store.load("counter", RUN)
    assert stored is not None
    assert stored.data == {"count": 2}
    # No inbox mark: the retried message is handled afresh, not taken for a duplicate.
    assert await store.outbox("counter", RUN, "m3") is None
    assert await store.read(RUN, 0) == []
    assert store.run_document(RUN) is None


async def test_creating_state_that_exists_is_a_conflict() -> None:
    store = InMemoryStateStore()
    await store.commit(_commit("m1", None))
    with pytest.raises(StateConflictError):
        await store.commit(_commit("m2", None))


async def test_stored_data_is_a_copy() -> None:
    store = InMemoryStateStore()
    state: dict[str, Any] = {"items": [1]}
    commit = _commit("m1", None)
    await store.commit(Commit(**{**commit.__dict__, "state": state}))
    state["items"].append(2)
    stored = await store.load("counter", RUN)
    assert stored is not None
    assert stored.data == {"items": [1]}


async def test_steps_are_recorded_once_and_dropped_with_their_commit() -> None:
    store = InMemoryStateStore()
    await store.record(RUN, "counter:m1:0", {"kind": "chat", "result": {"content": "first"}})
    await store.record(RUN, "counter:m1:0", {"kind": "chat", "result": {"content": "second"}})
    assert await store.recall(RUN, "counter:m1:0") == {"kind": "chat", "result": {"content": "first"}}
    assert await store.recall("other-run", "counter:m1:0") is None
    assert store.steps_recorded == 1
    await store.commit(_commit("m1", None))
    assert await store.recall(RUN, "counter:m1:0") is None


async def test_transcript_reads_a_half_open_range_in_index_order() -> None:
    store = InMemoryStateStore()
    etag = await store.commit(_commit("m1", None, entries=(0, 1)))
    await store.commit(_commit("m2", etag, entries=(2, 3)))
    assert [e["content"] for e in await store.read(RUN, 1, 3)] == ["e1", "e2"]
    assert [e["content"] for e in await store.read(RUN, 2)] == ["e2", "e3"]
    assert store.transcript_length(RUN) == 4


async def test_an_inbox_limit_keeps_only_the_newest_marks() -> None:
    store = InMemoryStateStore(inbox_limit=2)
    etag = None
    for n in range(3):
        etag = await store.commit(_commit(f"m{n}", etag, count=n))
    assert await store.outbox("counter", RUN, "m0") is None
    assert await store.outbox("counter", RUN, "m2") is not None
