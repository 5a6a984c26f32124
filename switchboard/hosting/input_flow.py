"""How a hop that asks a person, or answers one, changes its run: status, the stored question, events, timeouts.

Like `run_status`, everything is a pure function of the handled envelope and its outbox, so a redelivery that
re-sends a stored outbox announces the same events and schedules the same timeouts (same message ids, dropped as
duplicates). Nothing waits in memory: each question lives on the run document (`pending_inputs`, keyed by request
id: see `open_questions`) and in the waiting agent's state; each timeout is a Service Bus message scheduled for its
own deadline, so one question timing out touches no other.

- The outbox holds `InputRequested` → the run is `awaiting_input` with the question added to `pending_inputs`; an
  `InputTimedOut` is scheduled for the deadline when the request has a timeout.
- The hop handled `InputProvided`/`InputTimedOut` and the agent acted on it (its outbox is not empty; a stale answer
  leaves it empty) → that question is removed; the run is `running` again once no question is open (`resumes`:
  the host patches the status after the commit, under `open_questions.RESUME_CONDITION`).
- The outbox holds `RunStopped` → the run ends with that status and stop reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from switchboard.hosting.open_questions import answered_request, asks, question_patch
from switchboard.hosting.run_status import RunStatus
from switchboard.messages import Envelope
from switchboard.messages.frozen import thaw
from switchboard.protocol.input_messages import InputRequested, InputTimedOut, RunStopped
from switchboard.protocol.messages import RunCompleted

_TIMEOUT_IDS = uuid.UUID("a4c9e1b2-7d3f-4e8a-b6c5-0f9d2e1a3b57")


def _of_type(outgoing: Sequence[Envelope], type_name: str) -> list[Envelope]:
    return [envelope for envelope in outgoing if envelope.type == type_name]


def resumes(incoming: Envelope, outgoing: Sequence[Envelope]) -> bool:
    """Whether this hop acted on an answer and asked nothing new: the run may be `running` again.

    Whether it is depends on the other branches' questions, so the host decides after the commit, atomically.
    """
    if answered_request(incoming, outgoing) is None or asks(outgoing):
        return False
    return not _of_type(outgoing, RunStopped.message_type) and not _of_type(outgoing, RunCompleted.message_type)


def pending_input(request: Envelope) -> dict[str, Any]:
    """One open question as the run document's `pending_inputs` holds it, for an `InputRequested` envelope."""
    fields = thaw(request.payload)
    assert isinstance(fields, dict)
    fields["requested_at"] = request.created_at.isoformat()
    timeout = fields.get("timeout_seconds")
    fields["deadline"] = (request.created_at + timedelta(seconds=timeout)).isoformat() if timeout else None
    return fields


def input_patch(
    incoming: Envelope, outgoing: Sequence[Envelope], run: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The run document fields this hop sets because a person is asked, answered, or the run was stopped.

    Args:
        incoming: The handled envelope.
        outgoing: Its outbox.
        run: The run document as the hop read it (None: it was created by this hop).
    """
    asked = {}
    for request in _of_type(outgoing, InputRequested.message_type):
        question = pending_input(request)
        asked[str(question["request_id"])] = question
    patch = question_patch(incoming, outgoing, run, asked)
    stopped = _of_type(outgoing, RunStopped.message_type)
    if stopped:
        payload = stopped[0].payload
        patch["status"] = RunStatus(payload.get("status", RunStatus.CANCELLED))
        patch["stop_reason"] = payload.get("stop_reason")
    return patch


def merge_patch(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """`base` (the team's own status change) with `extra`; a run the team completed stays completed."""
    if base.get("status") == RunStatus.COMPLETED and extra.get("status") == RunStatus.RUNNING:
        extra = {name: value for name, value in extra.items() if name != "status"}
    return {**base, **extra}


def input_events(incoming: Envelope, outgoing: Sequence[Envelope]) -> list[RunStatus]:
    """The run statuses this hop announces on `run-events` beyond the team's own."""
    if _of_type(outgoing, RunStopped.message_type):
        return [RunStatus(_of_type(outgoing, RunStopped.message_type)[0].payload.get("status", RunStatus.CANCELLED))]
    if _of_type(outgoing, InputRequested.message_type):
        return [RunStatus.AWAITING_INPUT]
    # `running` after an answer is announced by the host once its conditional patch says no question is open.
    return []


def timeouts(outgoing: Sequence[Envelope]) -> list[tuple[Envelope, datetime]]:
    """The `InputTimedOut` messages to schedule, each with its deadline (ids derive from the request)."""
    scheduled: list[tuple[Envelope, datetime]] = []
    for request in _of_type(outgoing, InputRequested.message_type):
        question = InputRequested.model_validate(thaw(request.payload))
        if question.timeout_seconds is None:
            continue
        timeout = Envelope.wrap(
            InputTimedOut(request_id=question.request_id),
            run_id=request.run_id,
            message_id=str(uuid.uuid5(_TIMEOUT_IDS, question.request_id)),
            causation_id=request.message_id,
            source=request.source,
            target=question.agent,
            created_at=request.created_at,
            traceparent=request.traceparent,
        )
        scheduled.append((timeout, request.created_at + timedelta(seconds=question.timeout_seconds)))
    return scheduled
