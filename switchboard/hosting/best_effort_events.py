"""Run events are best-effort: a status announcement that fails never undoes or repeats the work it reports.

By the time a hop announces a status on `run-events`, its effects are committed and its outbox sent: the run
document already holds the status, which is the source of truth (`GET /api/runs/{id}`, `switchboard runs show`).
Abandoning the message because the event could not be sent would only make Service Bus redeliver a finished hop
until it dead-letters. So a failed announcement is logged, recorded as a failed `send run-events` span (an App
Insights dependency failure: count them to alert), counted in `LostEvents`, and the hop completes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from switchboard.hosting.entity_names import RUN_EVENTS_TOPIC
from switchboard.hosting.ports import RunEvents
from switchboard.instrumentation import current as current_telemetry

logger = logging.getLogger("switchboard.hosting")


@dataclass
class LostEvents:
    """How many announcements this process could not send (tests and health checks read it).

    Attributes:
        count: Announcements lost since the process started.
    """

    count: int = 0


LOST = LostEvents()
"""The process's count of lost announcements."""


async def announce(events: RunEvents, run_id: str, status: str, *, event_id: str | None = None) -> bool:
    """Publish one run status event; on any failure log it, record it, and return False instead of raising.

    Args:
        events: Where run events go.
        run_id: The run.
        status: Its new status.
        event_id: The event's deterministic message id (a re-announcement is a duplicate).

    Returns:
        True when the event was handed to Service Bus.
    """
    try:
        await events.publish_event(run_id, status, event_id=event_id)
    except Exception as error:  # any failure: the hop's work is done and must not be abandoned for an event
        LOST.count += 1
        logger.warning(
            "run %s: the %r event was not published (%s); the hop completes without it",
            run_id,
            status,
            type(error).__name__,
        )
        # A failed span of its own (only on failure, so a healthy trace is unchanged): the loss is queryable.
        with current_telemetry().send(
            queue=RUN_EVENTS_TOPIC, run_id=run_id, agent=None, message_ids=[event_id or f"{run_id}/{status}"]
        ) as span:
            span.fail(type(error).__name__)
        return False
    return True
