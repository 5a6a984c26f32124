"""`InMemoryRunEvents`: the processor's `RunEvents` port in memory, for tests and benchmarks of hosted runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from switchboard.errors import TransientError
from switchboard.hosting.transient_retry import RetryCopy
from switchboard.messages import Envelope
from switchboard.runtime.router import Router


class RunEvent(NamedTuple):
    """One announced run status change, as `run-events` would carry it."""

    run_id: str
    status: str
    event_id: str | None


class InMemoryRunEvents:
    """Sends envelopes as the Service Bus publisher does and records everything, without a broker.

    A publish fans out through the router (`Router.expand`: a targeted envelope once, a published one to every
    subscriber), into `sent`; run events go to `events` and scheduled envelopes to `scheduled`, each in order.

    Example:
        >>> bus = InMemoryRunEvents(router)
        >>> processor = MessageProcessor(router=router, ..., publisher=bus, teams={"team": "team"})
        >>> await processor.process_task(incoming)
        >>> assert bus.statuses == ["queued"]
    """

    def __init__(self, router: Router | None = None) -> None:
        """Record into empty lists; `router` may be set later (before the first publish)."""
        self.router = router
        self.sent: list[Envelope] = []
        self.events: list[RunEvent] = []
        self.scheduled: list[tuple[Envelope, datetime]] = []
        self.copies: list[RetryCopy] = []
        """Retry copies of failed messages (`send_copy`), in order."""
        self.fail_next_publish = 0
        """How many of the next publishes fail with a `TransientError`, as when the bus goes away."""

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        """Fan every envelope out to its deliveries, appended to `sent`.

        Raises:
            TransientError: `fail_next_publish` was set (it counts down).
            RuntimeError: No router was set.
        """
        if self.fail_next_publish:
            self.fail_next_publish -= 1
            raise TransientError("the bus went away")
        if self.router is None:
            raise RuntimeError("InMemoryRunEvents needs its router before the first publish")
        for envelope in envelopes:
            self.sent.extend(self.router.expand(envelope))

    async def publish_event(self, run_id: str, status: str, *, event_id: str | None = None) -> None:
        """Record a run status change."""
        self.events.append(RunEvent(run_id, str(status), event_id))

    async def schedule(self, envelopes: Sequence[Envelope], at: datetime) -> None:
        """Record envelopes to be delivered at `at` (the test delivers them when its clock gets there)."""
        self.scheduled.extend((envelope, at) for envelope in envelopes)

    async def send_copy(self, copy: RetryCopy) -> None:
        """Record a retry copy (the test delivers it when its clock gets to `copy.at`).

        Raises:
            TransientError: `fail_next_publish` was set (it counts down), as when the bus is busy.
        """
        if self.fail_next_publish:
            self.fail_next_publish -= 1
            raise TransientError("the bus went away")
        self.copies.append(copy)

    @property
    def statuses(self) -> list[str]:
        """The announced statuses, in order."""
        return [event.status for event in self.events]

    def take(self) -> list[Envelope]:
        """The envelopes sent since the last `take`, in order (and forget them)."""
        sent, self.sent = self.sent, []
        return sent
