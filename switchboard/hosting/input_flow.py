"""How a hop that asks a person, or answers one, changes its run: status, the stored question, events, timeouts.

Like `run_status`, everything is a pure function of the handled envelope and its outbox, so a redelivery that
re-sends a stored outbox announces the same events and schedules the same timeout (same message ids, dropped as
duplicates). Nothing waits in memory: the question lives on the run document (`pending_input`) and in the waiting
agent's state; the timeout is a Service Bus message scheduled for the deadline.

- The outbox holds `InputRequested` → the run is `awaiting_input` with `pending_input` set; an `InputTimedOut` is
  scheduled for the deadline when the request has a timeout.
- The hop handled `InputProvided`/`InputTimedOut` and the agent acted on it (its outbox is not empty; a stale answer
  leaves it empty) → the run is `running` again, `pending_input` cleared.
- The outbox holds `RunStopped` → the run ends with that status and stop reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from switchboard.hosting.run_status import RunStatus
from switchboard.messages import Envelope
from switchboard.messages.frozen import thaw
from switchboard.protocol.input_messages import InputProvided, InputRequested, InputTimedOut, RunStopped

_TIMEOUT_IDS = uuid.UUID("a4c9e1b2-7d3f-4e8a-b6c5-0f9d2e1a3b57")
_ANSWERS = frozenset({InputProvided.message_type, InputTimedOut.message_type})


def _of_type(outgoing: Sequence[Envelope], type_name: str) -> list[Envelope]:
    return [envelope for envelope in outgoing if envelope.type == type_name]


def _resumed(incoming: Envelope, outgoing: Sequence[Envelope]) -> bool:
    return incoming.type in _ANSWERS and bool(outgoing)


def pending_input(request: Envelope) -> dict[str, Any]:
    """The `pending_input` field of the run document for an `InputRequested` envelope."""
    fields = thaw(request.payload)
    assert isinstance(fields, dict)
    fields["requested_at"] = request.created_at.isoformat()
    timeout = fields.get("timeout_seconds")
    fields["deadline"] = (request.created_at + timedelta(seconds=timeout)).isoformat() if timeout else None
    return fields


def input_patch(incoming: Envelope, outgoing: Sequence[Envelope]) -> dict[str, Any]:
    """The run document fields this hop sets because a person is asked, answered, or the run was stopped."""
    stopped = _of_type(outgoing, RunStopped.message_type)
    if stopped:
        payload = stopped[0].payload
        return {
            "status": RunStatus(payload.get("status", RunStatus.CANCELLED)),
            "stop_reason": payload.get("stop_reason"),
        }
    asked = _of_type(outgoing, InputRequested.message_type)
    if asked:
        return {"status": RunStatus.AWAITING_INPUT, "pending_input": pending_input(asked[-1])}
    if _resumed(incoming, outgoing):
        return {"status": RunStatus.RUNNING, "pending_input": None}
    return {}


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
    if _resumed(incoming, outgoing):
        return [RunStatus.RUNNING]
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
