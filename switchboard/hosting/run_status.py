"""A run's status: the one vocabulary (`RunStatus`), and how a hop changes it.

`RunStatus` values are a wire and storage contract (the run document's `status`, the `subject` of `run-events`),
so they never change. `run_patch` and `status_changes` are pure functions of the handled envelope and its outbox,
so a redelivery that re-sends a stored outbox announces exactly the events the first attempt would have (with the
same ids, dropped as duplicates).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from switchboard.messages import Envelope
from switchboard.messages.frozen import thaw
from switchboard.protocol.messages import RunCompleted, TaskSubmitted


class RunStatus(enum.StrEnum):
    """Where a run is: `queued` → `running` → `completed` / `failed` / `cancelled`, `awaiting_input` while asking.

    A `str`, so documents and messages carry its value.
    """

    QUEUED = "queued"
    RUNNING = "running"
    AWAITING_INPUT = "awaiting_input"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL_STATUSES: frozenset[str] = frozenset({RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED})
"""A run in one of these statuses has ended: it takes no more work and its messages are completed untouched."""

ACTIVE_STATUSES: tuple[RunStatus, ...] = tuple(status for status in RunStatus if status not in TERMINAL_STATUSES)
"""The statuses of a run that has not ended, in lifecycle order."""


def status_changes(incoming: Envelope, outgoing: Sequence[Envelope]) -> list[RunStatus]:
    """The run statuses this hop announces, in order: `running` when a team starts, `completed` when it ends."""
    changes: list[RunStatus] = []
    if incoming.type == TaskSubmitted.message_type:
        changes.append(RunStatus.RUNNING)
    if any(envelope.type == RunCompleted.message_type for envelope in outgoing):
        changes.append(RunStatus.COMPLETED)
    return changes


def run_patch(incoming: Envelope, outgoing: Sequence[Envelope], *, status: str | None, now: datetime) -> dict[str, Any]:
    """The run document fields this hop sets (always `updated_at`).

    Args:
        incoming: The handled envelope.
        outgoing: Its outbox.
        status: The run's status when the hop started (None without a document).
        now: The time of the hop.

    Returns:
        Field name → new value.
    """
    patch: dict[str, Any] = {"updated_at": now.isoformat()}
    if incoming.type == TaskSubmitted.message_type and status in (None, RunStatus.QUEUED):
        patch["status"] = RunStatus.RUNNING
    for envelope in outgoing:
        if envelope.type == RunCompleted.message_type:
            patch["status"] = RunStatus.COMPLETED
            patch["stop_reason"] = envelope.payload.get("stop_reason")
            usage = envelope.payload.get("usage")
            patch["usage"] = thaw(usage) if usage is not None else {}
    return patch
