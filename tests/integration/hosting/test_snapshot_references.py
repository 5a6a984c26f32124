"""The hop snapshot reads what a message only names (entries, attachments) in its one query, on the Cosmos emulator."""

from __future__ import annotations

import pytest

from switchboard.messages.references import References
from switchboard.runtime.protocols import Attachment, Commit, TranscriptRecord
from switchboard.state import CosmosRunStore

pytestmark = pytest.mark.emulator

RUN = "run-refs-1"
NESTED = 7_000_000  # a nested team's index range: never mixed into the outer range


def commit(message_id: str, *, entries: list[int], attachments: tuple[Attachment, ...] = ()) -> Commit:
    return Commit(
        agent="team",
        run_id=RUN,
        message_id=message_id,
        schema_version=1,
        state={},
        expected_etag=None,
        transcript=tuple(TranscriptRecord(i, {"source": "writer", "content": f"entry {i}"}) for i in entries),
        attachments=attachments,
    )


async def test_one_snapshot_query_reads_the_named_range_and_attachments_and_nothing_else(
    store: CosmosRunStore,
) -> None:
    await store.create_run(RUN, task="t", team="team")
    answer = Attachment(id="attachment:writer:m0:0", body={"source": "writer", "content": "x" * 150_000})
    await store.commit(commit("m0", entries=[0, 1, 2, 3, 4, NESTED, NESTED + 1], attachments=(answer,)))
    wanted = References(entries=(1, 4), items=(answer.id, "attachment:writer:gone:0"))
    before = store.counter.snapshot()
    snapshot = await store.snapshot(RUN, "critic", "m1", references=wanted)
    assert (store.counter.snapshot() - before).requests == 1
    assert {index: entry["content"] for index, entry in snapshot.entries.items()} == {
        1: "entry 1",
        2: "entry 2",
        3: "entry 3",
    }
    assert snapshot.attachments == {answer.id: answer.body}
    assert snapshot.status == "queued"
    # The store reads an attachment by itself too (a host without the snapshot).
    assert await store.attachments(RUN, [answer.id, "attachment:writer:gone:0"]) == {answer.id: answer.body}


async def test_a_snapshot_without_references_reads_no_entries(store: CosmosRunStore) -> None:
    await store.create_run(RUN, task="t", team="team")
    await store.commit(commit("m0", entries=[0, 1]))
    snapshot = await store.snapshot(RUN, "critic", "m1")
    assert snapshot.entries == {}
    assert snapshot.attachments == {}
    assert snapshot.run is not None
