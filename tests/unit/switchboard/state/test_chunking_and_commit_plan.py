"""The pure rules for big items and big commits: chunking round-trips, chunk ids, and how a commit is split."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from switchboard.errors import Disposition, disposition_for
from switchboard.messages import Envelope
from switchboard.runtime.protocols import Commit, TranscriptRecord
from switchboard.state import chunking, commit_plan
from switchboard.state.chunking import ChunkMissingError, encoded_size, reassemble, spill
from switchboard.state.commit_plan import BATCH_BYTES, MAX_OPERATIONS, CommitTooLargeError, pack, plan_commit
from tests.support.hosting_agents import Job

RUN = "run-big"
AT = datetime(2026, 12, 7, 21, 0, tzinfo=UTC)
MB = 1024 * 1024


def state_item(payload: Any) -> dict[str, Any]:
    return {
        "id": "state:writer",
        "run_id": RUN,
        "type": "state",
        "agent": "writer",
        "schema_version": 1,
        "data": payload,
    }


def commit(
    *, state: dict[str, Any] | None = None, entries: int = 0, entry_text: str = "x", message_id: str = "m1"
) -> Commit:
    out = Envelope.wrap(Job(n=1), run_id=RUN, message_id="out-1", source="worker", target="sink", created_at=AT)
    return Commit(
        agent="worker",
        run_id=RUN,
        message_id=message_id,
        schema_version=1,
        state=state or {"n": 1},
        expected_etag='"e1"',
        outgoing=(out,),
        transcript=tuple(TranscriptRecord(i, {"source": "writer", "content": entry_text}) for i in range(entries)),
        run_patch={"updated_at": AT.isoformat()},
    )


def chunks_by_id(spilled: chunking.Spilled) -> dict[str, dict[str, Any]]:
    return {chunk["id"]: chunk for chunk in spilled.chunks}


def test_a_small_item_is_written_whole() -> None:
    item = state_item({"history": ["short"]})
    spilled = spill(item, version="m1")
    assert spilled.head == item
    assert spilled.chunks == ()
    assert reassemble(spilled.head, {}) == item


def test_a_3_mb_state_with_a_1_5_mb_tool_output_round_trips_through_chunks_under_the_item_limit() -> None:
    # Quotes, backslashes and non-ASCII text are what grow when JSON text is itself stored as a JSON string.
    tool_output = ('"quoted" \\ back é ✓ ' * 80_000)[: int(1.5 * MB)]
    item = state_item({"history": [{"role": "tool", "content": tool_output}, {"role": "user", "content": "a" * MB}]})
    assert encoded_size(item) > 2 * MB
    spilled = spill(item, version="m1")
    assert len(spilled.chunks) >= 2
    assert all(encoded_size(chunk) < 2 * MB for chunk in spilled.chunks)
    assert encoded_size(spilled.head) < 1024
    # The head keeps what queries select on; the rest is in the chunks.
    assert {k: spilled.head[k] for k in ("id", "run_id", "type", "agent", "schema_version")} == {
        k: item[k] for k in ("id", "run_id", "type", "agent", "schema_version")
    }
    assert "data" not in spilled.head
    whole = reassemble(spilled.head, chunks_by_id(spilled))
    assert {k: v for k, v in whole.items() if k != "chunked"} == item


def test_chunk_ids_are_the_same_for_a_retried_write_and_differ_for_other_content_or_another_message() -> None:
    item = state_item({"blob": "y" * MB})
    first, again = spill(item, version="m1"), spill(item, version="m1")
    assert [c["id"] for c in first.chunks] == [c["id"] for c in again.chunks]
    other_message = spill(item, version="m2")
    other_content = spill(state_item({"blob": "z" * MB}), version="m1")
    ids = {c["id"] for c in first.chunks}
    assert ids.isdisjoint(c["id"] for c in other_message.chunks)
    assert ids.isdisjoint(c["id"] for c in other_content.chunks)
    assert all(len(i) <= 255 for i in ids)


def test_a_missing_or_short_chunk_is_a_clear_error_not_a_truncated_item() -> None:
    spilled = spill(state_item({"blob": "y" * MB}), version="m1")
    chunks = chunks_by_id(spilled)
    first = spilled.chunks[0]["id"]
    with pytest.raises(ChunkMissingError, match="lacks its chunk"):
        reassemble(spilled.head, {k: v for k, v in chunks.items() if k != first})
    with pytest.raises(ChunkMissingError, match="characters"):
        reassemble(spilled.head, {**chunks, first: {**chunks[first], "data": chunks[first]["data"][:-1]}})


def test_a_small_commit_is_one_batch_exactly_as_before() -> None:
    plan = plan_commit(commit(entries=3))
    assert plan.overflow == ()
    kinds = [op[0] for op in plan.final]
    assert kinds == ["create", "replace", "create", "upsert", "upsert", "upsert", "patch"]
    assert plan.final[0][1][0] == {"id": "inbox:worker:m1", "run_id": RUN, "type": "inbox"}
    assert plan.run_patch_op == 6


def test_a_commit_of_150_entries_keeps_the_atomic_part_in_one_batch_and_writes_the_rest_first() -> None:
    plan = plan_commit(commit(entries=150))
    assert len(plan.final) <= MAX_OPERATIONS
    inbox = plan.final[0][1][0]
    final_entries = [op[1][0]["index"] for op in plan.final if op[0] == "upsert"]
    late = [item for batch in plan.overflow for item in batch]
    assert len(final_entries) + len(late) == 150
    assert sorted([*final_entries, *(item["index"] for item in late)]) == list(range(150))
    # Entries written ahead are tagged with the inbox mark that commits them, and the mark lists them.
    assert {item["commit"] for item in late} == {"inbox:worker:m1"}
    assert inbox["overflow"] == [item["id"] for item in late]
    assert all(item["id"].startswith(f"entry:{item['index']:06d}~") for item in late)
    # Another answer to the same message writes other ids; the same answer, the same ids.
    other = plan_commit(commit(entries=150, entry_text="y"))
    assert {i["id"] for b in other.overflow for i in b}.isdisjoint(inbox["overflow"])
    again = plan_commit(commit(entries=150))
    assert again.final[0][1][0]["overflow"] == inbox["overflow"]
    assert plan.final[-1][0] == "patch"
    assert plan.run_patch_op == len(plan.final) - 1


def test_150_entries_of_150_kb_fit_batches_of_at_most_2_mb() -> None:
    plan = plan_commit(commit(entries=150, entry_text="w" * 150_000))
    assert _batch_bytes(plan.final) <= BATCH_BYTES
    for batch in plan.overflow:
        assert len(batch) <= MAX_OPERATIONS
        assert sum(encoded_size(item) + commit_plan.OPERATION_BYTES for item in batch) <= BATCH_BYTES


def test_a_3_mb_state_is_chunked_ahead_and_its_head_commits_with_the_inbox_mark() -> None:
    plan = plan_commit(commit(state={"history": ["h" * 1000] * 3000}))
    state_op = plan.final[1]
    assert state_op[0] == "replace"
    assert state_op[2] == {"if_match_etag": '"e1"'}
    head = state_op[1][1]
    assert chunking.is_chunked(head)
    written = {item["id"] for batch in plan.overflow for item in batch}
    assert set(chunking.chunk_ids(head)) == written
    assert _batch_bytes(plan.final) <= BATCH_BYTES
    assert plan.state_head is head


def test_a_commit_whose_atomic_part_cannot_fit_is_refused_clearly() -> None:
    with pytest.raises(CommitTooLargeError, match="more than one batch") as raised:
        plan_commit(commit(entries=1), batch_bytes=200)
    # No retry fixes it: the run fails with the reason stored (and nothing of the hop is written).
    assert disposition_for(raised.value) is Disposition.FAIL_RUN


def test_pack_keeps_order_and_respects_both_limits() -> None:
    small = [{"id": f"s{i}", "v": "x" * 10} for i in range(250)]
    batches = pack(small, max_operations=100)
    assert [len(b) for b in batches] == [100, 100, 50]
    assert [item["id"] for b in batches for item in b] == [f"s{i}" for i in range(250)]
    big = [{"id": f"b{i}", "v": "x" * 700_000} for i in range(5)]
    assert [len(b) for b in pack(big)] == [2, 2, 1]


def _batch_bytes(operations: list[Any]) -> int:
    return sum(len(json.dumps(op[1], separators=(",", ":"))) + commit_plan.OPERATION_BYTES for op in operations)
