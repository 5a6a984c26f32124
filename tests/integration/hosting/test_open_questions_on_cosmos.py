"""Open questions on the Cosmos emulator through azure-cosmos aio: per-key patches in the commit batch and the
conditional resume, including a question and an answer of two branches committed at the same moment.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from switchboard.hosting.input_flow import input_patch
from switchboard.messages import Envelope
from switchboard.protocol.input_messages import InputProvided, InputRequested
from switchboard.protocol.messages import TurnCompleted
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.runtime.protocols import Commit
from switchboard.state import CosmosRunStore

pytestmark = pytest.mark.emulator

RUN = "run-questions"
AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def ask(agent: str, request_id: str) -> Envelope:
    question = InputRequested(request_id=request_id, agent=agent, team="gates", kind="approval", prompt="ship?")
    return Envelope.wrap(question, run_id=RUN, message_id=f"ask-{request_id}", source=agent, created_at=AT)


def done(agent: str) -> Envelope:
    entry = TranscriptEntry(source=agent, content="done")
    return Envelope.wrap(TurnCompleted(team="gates", turn=1, entry=entry), run_id=RUN, source=agent, created_at=AT)


def answer(agent: str, request_id: str) -> Envelope:
    return Envelope.wrap(InputProvided(request_id=request_id, approve=True), run_id=RUN, target=agent, created_at=AT)


async def hop(store: CosmosRunStore, agent: str, incoming: Envelope, outgoing: list[Envelope]) -> None:
    """Commit one hop of `agent` the way the processor does: its run patch computed from the document it read."""
    run = await store.read_run(RUN)
    state = await store.load(agent, RUN)
    patch = {"updated_at": AT.isoformat(), **input_patch(incoming, outgoing, run)}
    await store.commit(
        Commit(
            agent=agent,
            run_id=RUN,
            message_id=incoming.message_id,
            schema_version=1,
            state={},
            expected_etag=state.etag if state else None,
            outgoing=tuple(outgoing),
            run_patch=patch,
        )
    )


async def document(store: CosmosRunStore) -> dict[str, Any]:
    run = await store.read_run(RUN)
    assert run is not None
    return run


async def test_two_branches_questions_keep_the_run_waiting_until_both_are_answered(store: CosmosRunStore) -> None:
    await store.create_run(RUN, task="t", team="gates")
    await asyncio.gather(
        hop(store, "left", done("lead"), [ask("left", "A")]), hop(store, "right", done("lead"), [ask("right", "B")])
    )
    run = await document(store)
    assert (run["status"], sorted(run["pending_inputs"])) == ("awaiting_input", ["A", "B"])

    await hop(store, "left", answer("left", "A"), [done("left")])
    assert not await store.resume_if_answered(RUN)  # B is open: the condition fails, nothing changes
    run = await document(store)
    assert (run["status"], list(run["pending_inputs"])) == ("awaiting_input", ["B"])

    await hop(store, "right", answer("right", "B"), [done("right")])
    assert await store.resume_if_answered(RUN)
    run = await document(store)
    assert (run["status"], run["pending_inputs"]) == ("running", {})
    assert not await store.resume_if_answered(RUN)  # only once


@pytest.mark.parametrize("answer_first", [True, False])
async def test_an_answer_and_a_new_question_racing_never_leave_the_status_wrong(
    store: CosmosRunStore, answer_first: bool
) -> None:
    await store.create_run(RUN, task="t", team="gates")
    await hop(store, "left", done("lead"), [ask("left", "A")])

    async def answer_left() -> None:
        await hop(store, "left", answer("left", "A"), [done("left")])
        await store.resume_if_answered(RUN)

    async def right_asks() -> None:
        await hop(store, "right", done("lead"), [ask("right", "C")])

    first, second = (answer_left, right_asks) if answer_first else (right_asks, answer_left)
    await asyncio.gather(first(), second())
    run = await document(store)
    # Whatever the interleaving, C is open and the run says so.
    assert (run["status"], list(run["pending_inputs"])) == ("awaiting_input", ["C"])


async def test_a_run_document_from_before_the_map_is_answered_and_resumed(store: CosmosRunStore) -> None:
    await store.create_run(RUN, task="t", team="gates")
    legacy = await store.container.read_item(RUN, partition_key=RUN)
    del legacy["pending_inputs"]
    legacy.update(status="awaiting_input", pending_input={"request_id": "OLD", "agent": "writer", "kind": "approval"})
    await store.container.upsert_item(legacy)
    view = await store.get_run(RUN)
    assert view is not None
    assert (list(view["pending_inputs"]), view["pending_input"]["request_id"]) == (["OLD"], "OLD")

    await hop(store, "writer", answer("writer", "OLD"), [done("writer")])
    assert await store.resume_if_answered(RUN)
    run = await document(store)
    assert (run["status"], run["pending_input"]) == ("running", None)
    await hop(store, "right", done("lead"), [ask("right", "B")])  # the map is written whole on such a document
    assert list((await document(store))["pending_inputs"]) == ["B"]
