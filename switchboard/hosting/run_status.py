"""How a hop changes its run's status: the run document patch and the `run-events` it implies.

Both are pure functions of the handled envelope and its outbox, so a redelivery that re-sends a stored outbox
announces exactly the events the first attempt would have (with the same ids, dropped as duplicates).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from switchboard.messages import Envelope
from switchboard.messages.frozen import thaw
from switchboard.protocol.messages import RunCompleted, TaskSubmitted


def status_changes(incoming: Envelope, outgoing: Sequence[Envelope]) -> list[str]:
    """The run statuses this hop announces, in order: `running` when a team starts, `completed` when it ends."""
    changes: list[str] = []
    if incoming.type == TaskSubmitted.message_type:
        changes.append("running")
    if any(envelope.type == RunCompleted.message_type for envelope in outgoing):
        changes.append("completed")
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
    if incoming.type == TaskSubmitted.message_type and status in (None, "queued"):
        patch["status"] = "running"
    for envelope in outgoing:
        if envelope.type == RunCompleted.message_type:
            patch["status"] = "completed"
            patch["stop_reason"] = envelope.payload.get("stop_reason")
            usage = envelope.payload.get("usage")
            patch["usage"] = thaw(usage) if usage is not None else {}
    return patch
