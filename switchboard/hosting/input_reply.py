"""A person's answer to a paused run, checked against the open questions its run document holds.

`POST /api/runs/{id}/input` and `switchboard runs reply` both come here: the answer names the question it answers
(`request_id`; it may be left out while only one is open) and must fit it (`{"input": "..."}` for a question,
`{"approve": true|false}` for a tool approval); it becomes an `InputProvided` message to that question's agent. Its
message id derives from the request id, so a second answer to the same question is dropped by duplicate
detection, and after that window the agent ignores an answer to a question it no longer has: the first answer wins.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from switchboard.errors import SwitchboardError
from switchboard.hosting.open_questions import open_questions
from switchboard.hosting.run_status import RunStatus
from switchboard.messages import Envelope
from switchboard.protocol.input_messages import InputProvided
from switchboard.runtime.inprocess import CLIENT

_ANSWER_IDS = uuid.UUID("1e7b3c59-2f4d-4a86-8c0e-6b9a5d3f2e18")
_SHOWN = 64  # an error quotes at most this much of what was sent


class InputReplyError(SwitchboardError):
    """The answer does not fit the open question, or does not say which of several it answers (HTTP 400)."""


class NotAwaitingInputError(SwitchboardError):
    """The run asks nothing now, or the answered request is not one of its open questions (HTTP 409)."""


@dataclass(frozen=True)
class Reply:
    """An answer ready to send.

    Attributes:
        envelope: The `InputProvided` message to the waiting agent.
        question: The open question it answers (as `pending_inputs` holds it).
    """

    envelope: Envelope
    question: dict[str, Any]


def answer_body(text: str | None, approve: bool | None, request_id: str | None = None) -> dict[str, Any]:
    """The request body for a text answer or an approval decision (the CLI's arguments)."""
    body: dict[str, Any] = {"approve": approve} if approve is not None else {"input": text}
    if request_id is not None:
        body["request_id"] = request_id
    return body


def describe(question: Mapping[str, Any]) -> str:
    """One line naming a question: its request id, agent, and what it asks."""
    what = f"approve {question.get('tool')}" if question.get("kind") == "approval" else "a question"
    return f"{question.get('request_id')} ({question.get('agent')}: {what})"


def reply_to(run_id: str, run: Mapping[str, Any], body: Any, *, now: datetime) -> Reply:
    """The answer to one of `run`'s open questions: the one `body["request_id"]` names, or the only one.

    Raises:
        NotAwaitingInputError: The run is not `awaiting_input`, or the request id is not an open question (answered,
            timed out, or never asked).
        InputReplyError: The body is not an object, names no question while several are open, or lacks the answer
            its question needs.
    """
    questions = open_questions(run)
    if run.get("status") != RunStatus.AWAITING_INPUT or not questions:
        raise NotAwaitingInputError(f"run {run_id} is {run.get('status')}, not waiting for input")
    if not isinstance(body, Mapping):
        raise InputReplyError('the body must be a JSON object: {"input": "..."} or {"approve": true|false}')
    pending = _chosen(run_id, questions, body.get("request_id"))
    request_id = str(pending["request_id"])
    if pending.get("kind") == "approval":
        approve = body.get("approve")
        if not isinstance(approve, bool):
            raise InputReplyError(f'run {run_id} asks to approve {pending.get("tool")}: send {{"approve": true|false}}')
        answer = InputProvided(request_id=request_id, approve=approve)
    else:
        text = body.get("input")
        if not isinstance(text, str):
            raise InputReplyError(f'run {run_id} asks a question: send {{"input": "your answer"}}')
        answer = InputProvided(request_id=request_id, input=text)
    envelope = Envelope.wrap(
        answer,
        run_id=run_id,
        message_id=str(uuid.uuid5(_ANSWER_IDS, request_id)),
        source=CLIENT,
        target=str(pending.get("agent")),
        created_at=now,
    )
    return Reply(envelope=envelope, question=pending)


def reply_envelope(run_id: str, run: Mapping[str, Any], body: Any, *, now: datetime) -> Envelope:
    """The `InputProvided` envelope answering one of `run`'s open questions with `body` (see `reply_to`)."""
    return reply_to(run_id, run, body, now=now).envelope


def _chosen(run_id: str, questions: Mapping[str, dict[str, Any]], request_id: Any) -> dict[str, Any]:
    open_ids = "; ".join(describe(question) for question in questions.values())
    if request_id is None:
        if len(questions) == 1:
            return next(iter(questions.values()))
        raise InputReplyError(
            f'run {run_id} waits for {len(questions)} questions: say which with "request_id", one of {open_ids}'
        )
    if not isinstance(request_id, str):
        raise InputReplyError('"request_id" must be a string')
    if request_id not in questions:
        shown = request_id if len(request_id) <= _SHOWN else request_id[:_SHOWN] + "…"
        raise NotAwaitingInputError(
            f"run {run_id} has no open question {shown!r} (answered, timed out, or never asked); open: {open_ids}"
        )
    return questions[request_id]
