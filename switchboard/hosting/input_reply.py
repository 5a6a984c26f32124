"""A person's answer to a paused run, checked against the question its run document holds.

`POST /api/runs/{id}/input` and `switchboard runs reply` both come here: the answer must fit the open question
(`{"input": "..."}` for a question, `{"approve": true|false}` for a tool approval) and becomes an `InputProvided`
message to the waiting agent. Its message id derives from the request id, so a second answer to the same question
is dropped by duplicate detection, and after that window the agent ignores an answer to a question it no longer
has: the first answer wins.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from switchboard.errors import SwitchboardError
from switchboard.hosting.ingress_rules import preview
from switchboard.hosting.run_status import RunStatus
from switchboard.messages import Envelope
from switchboard.protocol.input_messages import InputProvided
from switchboard.runtime.inprocess import CLIENT

_ANSWER_IDS = uuid.UUID("1e7b3c59-2f4d-4a86-8c0e-6b9a5d3f2e18")


class InputReplyError(SwitchboardError):
    """The answer does not fit the open question (HTTP 400)."""


class NotAwaitingInputError(SwitchboardError):
    """The run asks nothing now, or asks another question than the one answered (HTTP 409)."""


def answer_body(text: str | None, approve: bool | None) -> dict[str, Any]:
    """The request body for a text answer or an approval decision (the CLI's arguments)."""
    if approve is not None:
        return {"approve": approve}
    return {"input": text}


def reply_envelope(run_id: str, run: Mapping[str, Any], body: Any, *, now: datetime) -> Envelope:
    """The `InputProvided` envelope answering `run`'s open question with `body`.

    Raises:
        NotAwaitingInputError: The run is not `awaiting_input`, or `body["request_id"]` names another question.
        InputReplyError: The body is not an object, or lacks the answer its question needs.
    """
    pending = run.get("pending_input")
    if run.get("status") != RunStatus.AWAITING_INPUT or not isinstance(pending, Mapping):
        raise NotAwaitingInputError(f"run {run_id} is {run.get('status')}, not waiting for input")
    if not isinstance(body, Mapping):
        raise InputReplyError('the body must be a JSON object: {"input": "..."} or {"approve": true|false}')
    request_id = str(pending.get("request_id"))
    if body.get("request_id") not in (None, request_id):
        raise NotAwaitingInputError(
            f"run {run_id} waits for request {request_id}, not {preview(body.get('request_id'))}"
        )
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
    return Envelope.wrap(
        answer,
        run_id=run_id,
        message_id=str(uuid.uuid5(_ANSWER_IDS, request_id)),
        source=CLIENT,
        target=str(pending.get("agent")),
        created_at=now,
    )
