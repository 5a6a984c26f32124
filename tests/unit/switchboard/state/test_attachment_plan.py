"""A commit's attachments (the answers its outbox refers to) in the commit plan: in the final batch when they fit."""

from __future__ import annotations

from typing import Any

from switchboard.runtime.protocols import Attachment, Commit
from switchboard.state.commit_plan import plan_commit
from switchboard.state.retention import ItemTtls

RUN = "run-attach"


def commit(*attachments: Attachment) -> Commit:
    return Commit(
        agent="alpha",
        run_id=RUN,
        message_id="m1",
        schema_version=1,
        state={"n": 1},
        expected_etag=None,
        attachments=attachments,
        run_patch={"updated_at": "2026-12-07T21:00:00+00:00"},
    )


def final_ids(operations: list[Any]) -> list[str]:
    return [op[1][0]["id"] if op[0] != "patch" else "patch" for op in operations]


def test_a_small_attachment_rides_in_the_final_batch_after_the_fixed_operations() -> None:
    answer = Attachment(id="attachment:alpha:m1:0", body={"source": "alpha", "content": "x" * 150_000})
    plan = plan_commit(commit(answer))
    assert plan.overflow == ()
    assert final_ids(plan.final) == ["inbox:alpha:m1", "state:alpha", "outbox:alpha:m1", answer.id, "patch"]
    assert plan.run_patch_op == 4
    assert plan.final[3][1][0]["body"] == answer.body


def test_a_1_5_mb_attachment_is_chunked_its_chunks_written_first_its_head_with_the_commit() -> None:
    answer = Attachment(id="attachment:alpha:m1:0", body={"source": "alpha", "content": "y" * 1_500_000})
    plan = plan_commit(commit(answer))
    head = plan.final[3][1][0]
    assert head["id"] == answer.id
    assert "chunked" in head
    written_first = [item["id"] for batch in plan.overflow for item in batch]
    assert written_first
    assert all(item_id.startswith("chunk:") for item_id in written_first)
    assert sum(len(item["data"]) for batch in plan.overflow for item in batch) > 1_500_000


def test_attachments_and_their_chunks_expire_with_the_hop_items() -> None:
    ttls = ItemTtls(hop=60, run=None)
    answer = Attachment(id="attachment:alpha:m1:0", body={"source": "alpha", "content": "z" * 1_500_000})
    plan = plan_commit(commit(answer))
    (head,) = [op[1][0] for op in ttls.stamp_operations(plan.final) if op[0] == "upsert"]
    assert head["ttl"] == 60
    chunks = [item for batch in ttls.stamp_batches(plan.overflow) for item in batch if item["of"] == answer.id]
    assert chunks
    assert {chunk["ttl"] for chunk in chunks} == {60}
