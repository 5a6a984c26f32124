"""Big items and big commits through azure-cosmos against the Cosmos emulator (which refuses items and requests
past 2 MB and batches past 100 operations, as Azure does): chunked state, outbox, entries and steps read back
whole; a commit of 150 entries; a crash between the overflow and the final batch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from azure.cosmos.exceptions import CosmosHttpResponseError

from switchboard.errors import DuplicateMessageError
from switchboard.messages import Envelope
from switchboard.runtime.protocols import Commit, TranscriptRecord
from switchboard.state import CosmosRunStore
from tests.support.hosting_agents import Job

pytestmark = pytest.mark.emulator

RUN = "run-big-items"
AT = datetime(2026, 12, 7, 21, 0, tzinfo=UTC)
MB = 1024 * 1024
TOOL_OUTPUT = ('line of "tool" output \\ é ✓\n' * 60_000)[: int(1.5 * MB)]


class Crash(Exception):
    """Stands for the host dying between the overflow writes and the final batch."""


def big_state(turn: int) -> dict[str, Any]:
    """An assistant's state with a long history: a 1.5 MB tool output and more, past 3 MB in all."""
    return {
        "turn": turn,
        "history": [
            {"role": "user", "content": "summarise the logs"},
            {"role": "tool", "content": TOOL_OUTPUT},
            {"role": "assistant", "content": "s" * (int(1.5 * MB) + turn)},
        ],
    }


def commit(
    message_id: str, *, etag: str | None, state: dict[str, Any], entries: range = range(0), text: str = "entry"
) -> Commit:
    out = Envelope.wrap(
        Job(n=1), run_id=RUN, message_id=f"out-{message_id}", source="worker", target="sink", created_at=AT
    )
    return Commit(
        agent="worker",
        run_id=RUN,
        message_id=message_id,
        schema_version=1,
        state=state,
        expected_etag=etag,
        outgoing=(out,),
        transcript=tuple(TranscriptRecord(i, {"source": "writer", "content": f"{text} {i}"}) for i in entries),
        run_patch={"updated_at": AT.isoformat()},
    )


async def ids_of(store: CosmosRunStore) -> set[str]:
    return {doc["id"] async for doc in store.container.query_items("SELECT c.id FROM c", partition_key=RUN)}


def crash_on_final_batch(store: CosmosRunStore) -> Callable[[], None]:
    """Make the commit's final batch (the one that creates the inbox mark) fail; returns the undo."""
    real = store.container.execute_item_batch

    async def failing(operations: list[Any], **kwargs: Any) -> Any:
        first = operations[0]
        if first[0] == "create" and str(first[1][0].get("id", "")).startswith("inbox:"):
            raise Crash
        return await real(operations, **kwargs)

    store.container.execute_item_batch = failing  # type: ignore[method-assign,assignment]
    return lambda: setattr(store.container, "execute_item_batch", real)


async def test_a_commit_of_150_entries_is_split_and_every_entry_reads_back_in_order(store: CosmosRunStore) -> None:
    await store.create_run(RUN, task="t", team="team")
    before = store.counter.snapshot()
    await store.commit(commit("m1", etag=None, state={"n": 1}, entries=range(150)))
    assert (store.counter.snapshot() - before).requests == 2  # one overflow batch of upserts, then the final batch
    entries = await store.read(RUN, 0)
    assert [e["content"] for e in entries] == [f"entry {i}" for i in range(150)]
    assert all(set(e) == {"source", "content"} for e in entries)
    view = await store.get_run(RUN)
    assert view is not None
    assert len(view["transcript"]) == 150


async def test_150_entries_of_150_kb_each_are_stored_in_batches_under_2_mb(store: CosmosRunStore) -> None:
    await store.create_run(RUN, task="t", team="team")
    await store.commit(commit("m1", etag=None, state={"n": 1}, entries=range(150), text="w" * 150_000))
    entries = await store.read(RUN, 140, 150)
    assert [e["content"].rsplit(" ", 1)[1] for e in entries] == [str(i) for i in range(140, 150)]
    assert all(len(e["content"]) > 150_000 for e in entries)


async def test_a_3_mb_state_is_chunked_read_back_whole_and_its_replaced_chunks_are_removed(
    store: CosmosRunStore,
) -> None:
    await store.create_run(RUN, task="t", team="team")
    etag = await store.commit(commit("m1", etag=None, state=big_state(1)))
    loaded = await store.load("worker", RUN)
    assert loaded is not None
    assert loaded.etag == etag
    assert loaded.data == big_state(1)
    first_chunks = {i for i in await ids_of(store) if i.startswith("chunk:")}
    assert len(first_chunks) >= 4
    snapshot = await store.snapshot(RUN, "worker", "m2")
    assert snapshot.state is not None
    assert snapshot.state.data == big_state(1)
    await store.commit(commit("m2", etag=snapshot.state.etag, state=big_state(2)))
    again = await store.load("worker", RUN)
    assert again is not None
    assert again.data == big_state(2)
    chunks_now = {i for i in await ids_of(store) if i.startswith("chunk:")}
    assert chunks_now.isdisjoint(first_chunks)  # the replaced version's chunks were deleted after the commit
    assert len(chunks_now) == len(first_chunks)


async def test_a_big_outbox_a_big_entry_and_a_big_step_read_back_whole(store: CosmosRunStore) -> None:
    await store.create_run(RUN, task="t", team="team")
    outbox = tuple(
        Envelope.wrap(
            Job(kind="k" * MB, n=i), run_id=RUN, message_id=f"o{i}", source="worker", target="sink", created_at=AT
        )
        for i in range(3)
    )
    huge_entry = {"source": "researcher", "content": TOOL_OUTPUT + TOOL_OUTPUT}
    await store.commit(
        Commit("worker", RUN, "m1", 1, {"n": 1}, None, outbox, (TranscriptRecord(0, huge_entry),), {"updated_at": "x"})
    )
    await store.record(RUN, "worker:m2:0", {"kind": "tool", "result": {"output": TOOL_OUTPUT * 2}})
    assert await store.outbox("worker", RUN, "m1") == outbox
    assert await store.read(RUN, 0) == [huge_entry]
    assert await store.recall(RUN, "worker:m2:0") == {"kind": "tool", "result": {"output": TOOL_OUTPUT * 2}}
    snapshot = await store.snapshot(RUN, "worker", "m2")
    assert snapshot.steps == {"worker:m2:0": {"kind": "tool", "result": {"output": TOOL_OUTPUT * 2}}}
    # A second record of the step (another instance, another answer) keeps the first, chunks and all.
    await store.record(RUN, "worker:m2:0", {"kind": "tool", "result": {"output": "other" * 300_000}})
    assert await store.recall(RUN, "worker:m2:0") == {"kind": "tool", "result": {"output": TOOL_OUTPUT * 2}}


async def test_a_crash_between_the_overflow_and_the_final_batch_leaves_nothing_visible_and_the_retry_commits(
    store: CosmosRunStore,
) -> None:
    await store.create_run(RUN, task="t", team="team")
    etag = await store.commit(commit("m0", etag=None, state={"n": 0}, entries=range(1)))
    undo = crash_on_final_batch(store)
    with pytest.raises(Crash):
        await store.commit(commit("m1", etag=etag, state=big_state(1), entries=range(1, 151)))
    undo()
    leftovers = await ids_of(store)
    assert any(i.startswith("chunk:") for i in leftovers)
    assert any(i.startswith("entry:000150~") for i in leftovers)
    # Nothing refers to the leftovers: the transcript, the state and the inbox are as before the crashed hop.
    assert [e["content"] for e in await store.read(RUN, 0)] == ["entry 0"]
    loaded = await store.load("worker", RUN)
    assert loaded is not None
    assert loaded.data == {"n": 0}
    assert (await store.snapshot(RUN, "worker", "m1")).outbox is None
    # The redelivered message commits the same items again: its leftovers are overwritten, not duplicated.
    await store.commit(commit("m1", etag=etag, state=big_state(1), entries=range(1, 151)))
    after = await ids_of(store)
    assert leftovers <= after
    assert {i for i in after if i.startswith("chunk:")} == {i for i in leftovers if i.startswith("chunk:")}
    assert [e["content"] for e in await store.read(RUN, 0)] == [f"entry {i}" for i in range(151)]
    loaded = await store.load("worker", RUN)
    assert loaded is not None
    assert loaded.data == big_state(1)
    with pytest.raises(DuplicateMessageError):
        await store.commit(commit("m1", etag=etag, state=big_state(1), entries=range(1, 151)))


async def test_the_emulator_refuses_what_azure_refuses_so_the_splitting_is_needed(store: CosmosRunStore) -> None:
    container = store.container
    with pytest.raises(CosmosHttpResponseError) as too_big_item:
        await container.create_item({"id": "big", "run_id": RUN, "data": "x" * (2 * MB + 1)})
    assert too_big_item.value.status_code == 413
    many = [("upsert", ({"id": f"i{i}", "run_id": RUN},)) for i in range(101)]
    with pytest.raises(CosmosHttpResponseError) as too_many:
        await container.execute_item_batch(many, partition_key=RUN)
    assert too_many.value.status_code == 400
    heavy = [("upsert", ({"id": f"h{i}", "run_id": RUN, "data": "x" * 800_000},)) for i in range(3)]
    with pytest.raises(CosmosHttpResponseError) as too_heavy:
        await container.execute_item_batch(heavy, partition_key=RUN)
    assert too_heavy.value.status_code == 413
    assert await ids_of(store) == set()


async def test_a_second_instance_with_another_answer_cannot_overwrite_a_committed_split_commit(
    store: CosmosRunStore,
) -> None:
    await store.create_run(RUN, task="t", team="team")
    await store.commit(commit("m1", etag=None, state=big_state(1), entries=range(150)))
    # The same message handled again elsewhere (its lock was lost) with other entries and another state.
    with pytest.raises(DuplicateMessageError):
        await store.commit(commit("m1", etag=None, state=big_state(2), entries=range(150), text="other"))
    assert [e["content"] for e in await store.read(RUN, 0)] == [f"entry {i}" for i in range(150)]
    loaded = await store.load("worker", RUN)
    assert loaded is not None
    assert loaded.data == big_state(1)
