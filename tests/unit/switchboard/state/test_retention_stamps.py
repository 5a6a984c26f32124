"""Each item a commit writes gets the `ttl` of its kind, chunks and overflow entries included (pure)."""

from __future__ import annotations

from typing import Any

from switchboard.messages import Envelope
from switchboard.runtime.protocols import Commit, TranscriptRecord
from switchboard.state.commit_plan import plan_commit, spilled_step
from switchboard.state.retention import ItemTtls
from tests.support.hosting_agents import Job

RUN = "run-ttl"
TTLS = ItemTtls(hop=7, run=30)


def big_commit(entries: int, text: str) -> Commit:
    outgoing = (Envelope.wrap(Job(n=1), run_id=RUN, message_id="out-1", source="worker", target="sink"),)
    return Commit(
        agent="worker",
        run_id=RUN,
        message_id="m-1",
        schema_version=1,
        state={"notes": text},
        expected_etag=None,
        outgoing=outgoing,
        transcript=tuple(TranscriptRecord(i, {"source": "worker", "content": text}) for i in range(entries)),
        run_patch={"updated_at": "2026-12-07T00:00:00+00:00"},
    )


def written(plan_items: list[dict[str, Any]]) -> dict[tuple[str, str], set[int | None]]:
    kinds: dict[tuple[str, str], set[int | None]] = {}
    for item in plan_items:
        of = str(item.get("of", "")).split(":", 1)[0] if item["type"] == "chunk" else ""
        kinds.setdefault((item["type"], of), set()).add(item.get("ttl"))
    return kinds


def test_a_commit_past_one_batch_stamps_heads_chunks_and_overflow_by_kind() -> None:
    plan = plan_commit(big_commit(entries=120, text="x" * 600_000))
    final = TTLS.stamp_operations(plan.final)
    overflow = TTLS.stamp_batches(plan.overflow)
    items = [op[1][1] if op[0] == "replace" else op[1][0] for op in final if op[0] != "patch"]
    items += [item for batch in overflow for item in batch]
    assert written(items) == {
        ("inbox", ""): {7},
        ("state", ""): {30},
        ("outbox", ""): {7},
        ("entry", ""): {30},
        ("chunk", "state"): {30},
        ("chunk", "entry"): {30},
    }
    # The patch of the run document is left alone; positions do not move (errors are told apart by position).
    assert [op[0] for op in final] == [op[0] for op in plan.final]
    assert final[-1] == plan.final[-1]


def test_a_big_step_and_its_chunks_get_the_hop_ttl() -> None:
    step = spilled_step(
        {"id": "step:worker:m-1:0", "run_id": RUN, "type": "step", "kind": "tool", "result": "y" * 900_000}
    )
    assert step.chunks
    assert {TTLS.stamp(item)["ttl"] for item in (step.head, *step.chunks)} == {7}


def test_without_a_run_retention_run_items_get_no_ttl() -> None:
    keep = ItemTtls(hop=7, run=None)
    assert "ttl" not in keep.stamp({"id": "entry:000001", "type": "entry"})
    assert "ttl" not in keep.stamp({"id": RUN, "type": "run"})
    assert keep.stamp({"id": "chunk:d:0", "type": "chunk", "of": "outbox:worker:m"})["ttl"] == 7
