"""Open questions as a map on the run document: the patch each hop makes, the resume rule, and answering by id.

Pure functions only; `tests/integration/hosting/test_open_questions_on_cosmos.py` runs the same patches and the
conditional resume against the Cosmos emulator, and `tests/e2e/faults/test_parallel_questions.py` a whole run.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from rich.console import Console

from switchboard.cli.question_choice import choose_question
from switchboard.hosting.input_flow import input_events, input_patch, resumes, timeouts
from switchboard.hosting.input_reply import InputReplyError, NotAwaitingInputError, reply_to
from switchboard.hosting.memory import InMemoryHostStore
from switchboard.hosting.open_questions import (
    PatchOp,
    apply_patch,
    may_resume,
    open_questions,
    patch_operations,
    questions_view,
)
from switchboard.hosting.run_document import new_run_document
from switchboard.messages import Envelope
from switchboard.protocol.input_messages import InputProvided, InputRequested, InputTimedOut, RunStopped
from switchboard.protocol.messages import TurnCompleted
from switchboard.protocol.transcript import TranscriptEntry

RUN = "run-q"
AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def ask(agent: str, request_id: str, *, timeout: float | None = None, kind: str = "approval") -> Envelope:
    question = InputRequested(
        request_id=request_id,
        agent=agent,
        team="gates",
        kind=kind,  # type: ignore[arg-type]
        prompt=f"{agent} asks",
        tool="ship" if kind == "approval" else None,
        timeout_seconds=timeout,
        on_timeout="deny",
    )
    return Envelope.wrap(question, run_id=RUN, message_id=f"ask-{request_id}", source=agent, created_at=AT)


def answer(agent: str, request_id: str) -> Envelope:
    return Envelope.wrap(
        InputProvided(request_id=request_id, approve=True), run_id=RUN, source="client", target=agent, created_at=AT
    )


def turn(agent: str) -> Envelope:
    entry = TranscriptEntry(source=agent, content=f"{agent} done")
    done = TurnCompleted(team="gates", turn=1, entry=entry)
    return Envelope.wrap(done, run_id=RUN, source=agent, target="gates", created_at=AT)


def document() -> dict[str, Any]:
    return new_run_document(RUN, task="t", team="gates", now=AT.isoformat())


def test_each_branch_sets_only_its_own_key_and_the_run_waits_while_any_is_open() -> None:
    run = document()
    left = input_patch(turn("lead"), [ask("left", "A")], run)
    assert left["status"] == "awaiting_input"
    assert set(left) == {"status", "pending_inputs/A"}  # never the whole map: the other branch commits alone
    apply_patch(run, left)
    apply_patch(run, input_patch(turn("lead"), [ask("right", "B")], run))
    assert list(open_questions(run)) == ["A", "B"]
    assert patch_operations(left)[0] == {"op": "set", "path": "/pending_inputs/A", "value": run["pending_inputs"]["A"]}

    # Left's answer closes A only, and does not set the status: B is still open.
    closing = input_patch(answer("left", "A"), [turn("left")], run)
    assert closing == {"pending_inputs/A": PatchOp.REMOVE}
    assert patch_operations(closing) == [{"op": "remove", "path": "/pending_inputs/A"}]
    assert resumes(answer("left", "A"), [turn("left")])
    apply_patch(run, closing)
    assert not may_resume(run)  # B is open: the run stays awaiting_input
    apply_patch(run, input_patch(answer("right", "B"), [turn("right")], run))
    assert may_resume(run)
    assert questions_view(run) == {"pending_inputs": {}, "pending_input": None}


def test_a_stale_answer_closes_nothing_and_a_hop_that_answers_and_asks_keeps_the_run_waiting() -> None:
    run = document()
    apply_patch(run, input_patch(turn("lead"), [ask("left", "A")], run))
    assert input_patch(answer("left", "Z"), [], run) == {}  # the agent ignored it: empty outbox
    assert not resumes(answer("left", "Z"), [])
    again = input_patch(answer("left", "A"), [ask("left", "C")], run)
    assert again == {
        "pending_inputs/A": PatchOp.REMOVE,
        "pending_inputs/C": again["pending_inputs/C"],
        "status": "awaiting_input",
    }
    assert not resumes(answer("left", "A"), [ask("left", "C")])
    assert input_events(answer("left", "A"), [turn("left")]) == []  # `running` waits for the conditional patch


def test_a_stop_ends_the_run_and_closes_its_question() -> None:
    run = document()
    apply_patch(run, input_patch(turn("lead"), [ask("editor", "A", kind="input")], run))
    timed_out = Envelope.wrap(InputTimedOut(request_id="A"), run_id=RUN, target="editor", created_at=AT)
    stopped = Envelope.wrap(RunStopped(team="gates", stop_reason="no input"), run_id=RUN, created_at=AT)
    patch = input_patch(timed_out, [stopped], run)
    assert patch == {"pending_inputs/A": PatchOp.REMOVE, "status": "cancelled", "stop_reason": "no input"}
    assert not resumes(timed_out, [stopped])


def test_each_question_gets_its_own_timeout_at_its_own_deadline() -> None:
    scheduled = timeouts([ask("left", "A", timeout=3), ask("right", "B")])
    assert [(e.payload["request_id"], e.target, at) for e, at in scheduled] == [("A", "left", AT.replace(second=3))]


def test_documents_from_before_the_map_are_read_answered_and_extended() -> None:
    legacy = {**document(), "status": "awaiting_input", "pending_input": {"request_id": "OLD", "agent": "writer"}}
    del legacy["pending_inputs"]
    assert list(open_questions(legacy)) == ["OLD"]
    # A new question on such a document writes the map whole (there is no parent to set a key in).
    patch = input_patch(turn("lead"), [ask("right", "B")], legacy)
    assert list(patch["pending_inputs"]) == ["B"]
    apply_patch(legacy, patch)
    assert list(open_questions(legacy)) == ["OLD", "B"]
    apply_patch(legacy, input_patch(answer("writer", "OLD"), [turn("writer")], legacy))
    assert legacy["pending_input"] is None
    assert list(open_questions(legacy)) == ["B"]


def _waiting() -> dict[str, Any]:
    run = document()
    apply_patch(run, input_patch(turn("lead"), [ask("left", "A")], run))
    apply_patch(run, input_patch(turn("lead"), [ask("right", "B", kind="input")], run))
    return run


def test_a_reply_answers_the_question_it_names_and_only_that_one() -> None:
    run = _waiting()
    left = reply_to(RUN, run, {"approve": False, "request_id": "A"}, now=AT)
    assert (left.envelope.target, left.envelope.payload["request_id"], left.question["agent"]) == ("left", "A", "left")
    right = reply_to(RUN, run, {"input": "fine", "request_id": "B"}, now=AT)
    assert (right.envelope.target, right.envelope.payload["input"]) == ("right", "fine")
    assert left.envelope.message_id != right.envelope.message_id  # each answer deduplicates on its own


def test_a_reply_that_names_no_open_question_or_does_not_fit_it_is_refused_clearly() -> None:
    run = _waiting()
    with pytest.raises(InputReplyError, match=r'waits for 2 questions: say which with "request_id", one of A \(left'):
        reply_to(RUN, run, {"approve": True}, now=AT)
    with pytest.raises(NotAwaitingInputError, match="no open question 'Z'"):
        reply_to(RUN, run, {"approve": True, "request_id": "Z"}, now=AT)
    with pytest.raises(NotAwaitingInputError) as long_id:
        reply_to(RUN, run, {"approve": True, "request_id": "x" * 10_000}, now=AT)
    assert len(long_id.value.reason) < 300  # what was sent is quoted only as a short prefix
    with pytest.raises(InputReplyError, match=r'send \{"input"'):
        reply_to(RUN, run, {"approve": True, "request_id": "B"}, now=AT)  # B wants text
    with pytest.raises(InputReplyError, match="must be a string"):
        reply_to(RUN, run, {"approve": True, "request_id": 7}, now=AT)
    apply_patch(run, {"pending_inputs/A": PatchOp.REMOVE, "pending_inputs/B": PatchOp.REMOVE})
    with pytest.raises(NotAwaitingInputError, match="not waiting for input"):
        reply_to(RUN, run, {"approve": True}, now=AT)  # awaiting_input for a moment, but nothing is open


async def test_the_in_memory_store_resumes_only_when_the_last_question_is_closed() -> None:
    store = InMemoryHostStore()
    await store.create_run(RUN, task="t", team="gates")
    store.runs_by_id[RUN].update(_waiting())
    assert not await store.resume_if_answered(RUN)
    apply_patch(store.runs_by_id[RUN], {"pending_inputs/A": PatchOp.REMOVE})
    assert not await store.resume_if_answered(RUN)
    apply_patch(store.runs_by_id[RUN], {"pending_inputs/B": PatchOp.REMOVE})
    assert await store.resume_if_answered(RUN)
    assert store.runs_by_id[RUN]["status"] == "running"
    assert not await store.resume_if_answered(RUN)  # once: the `running` event is announced by one hop


def test_runs_reply_asks_which_question_when_several_are_open(monkeypatch: pytest.MonkeyPatch) -> None:
    questions = open_questions(_waiting())
    out = io.StringIO()
    console = Console(file=out, width=200)
    assert choose_question(console, RUN, {"A": questions["A"]}) is None  # one open: the server picks it
    monkeypatch.setattr("builtins.input", lambda *_: "2")
    assert choose_question(console, RUN, questions) == "B"
    assert "1. A (left: approve ship)" in out.getvalue()

    def closed(*_: object) -> str:
        raise EOFError

    monkeypatch.setattr("builtins.input", closed)
    with pytest.raises(InputReplyError, match=r"name one with --request \(A, B\)"):
        choose_question(console, RUN, questions)
