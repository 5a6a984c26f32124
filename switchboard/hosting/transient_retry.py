"""`TransientRetries`: a message that failed with a transient error is completed and a copy scheduled for later.

Why not abandon: Service Bus redelivers an abandoned message at once, so a dependency that is down for a minute
uses up the queue's `maxDeliveryCount` in seconds and the message is dead-lettered. Why not hold the lock and
sleep: a Function would be billed (and hold one of its `maxConcurrentSessions`) for the whole outage, and a
`functionTimeout` or a lost lock would end the wait with an abandon anyway. A scheduled copy costs nothing while it
waits and survives a host restart. The price: while the copy waits the run's session is free, so a later message
of the same run on the same queue may be handled before it. A run's hops form a chain (each message is sent by the
hop before it), so this only reorders messages that were already concurrent, such as the answers of a fan-out.

The order is: send the copy, then complete. A crash between the two leaves both, and the second handling of the
same envelope finds the inbox mark and only re-sends its outbox. If the copy cannot be sent (Service Bus itself is
busy) the hop waits inline, up to `BackoffPolicy.max_inline_seconds`, and abandons as before if it still cannot.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from switchboard.agent import Clock
from switchboard.errors import TransientError
from switchboard.hosting.backoff import BackoffPolicy, RetryMarks, scheduled_time
from switchboard.hosting.patient_journal import PatientJournal, retry_inline
from switchboard.hosting.settlement import IncomingMessage, Outcome, Settlement, SettlementKind
from switchboard.runtime.protocols import StepJournal

logger = logging.getLogger("switchboard.hosting")

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryCopy:
    """A copy of a received message, to be enqueued at `at` (`scheduled_enqueue_time_utc`).

    Attributes:
        queue: The queue the original came from.
        body: The original body, byte for byte (an envelope keeps its own message id inside).
        message_id: The copy's own Service Bus MessageId (`RetryMarks.copy_message_id`).
        at: When Service Bus makes it visible.
        properties: The original's application properties plus the retry marks.
        session_id: The original's session (the run id on agent queues).
        subject: The original's subject (the envelope type on agent queues).
        correlation_id: The original's correlation id.
    """

    queue: str
    body: bytes
    message_id: str
    at: datetime
    properties: Mapping[str, str]
    session_id: str | None = None
    subject: str | None = None
    correlation_id: str | None = None


@dataclass(frozen=True)
class RetryOrigin:
    """The message that failed: where it came from and what a copy must repeat beyond its body and properties.

    Attributes:
        queue: Its queue (an agent's, or `tasks`).
        incoming: The message as received.
        subject: Its subject (the envelope type on agent queues).
        correlation_id: Its correlation id (the envelope's).
    """

    queue: str
    incoming: IncomingMessage
    subject: str | None = None
    correlation_id: str | None = None


class RetrySender(Protocol):
    """Sends a retry copy (`ServiceBusPublisher` is one)."""

    async def send_copy(self, copy: RetryCopy) -> None:
        """Enqueue `copy` on its queue for delivery at `copy.at`."""
        ...


class TransientRetries:
    """Decides, for a message that failed transiently, between a scheduled retry and failing the run."""

    def __init__(
        self,
        policy: BackoffPolicy,
        sender: RetrySender,
        *,
        clock: Clock,
        rand: Callable[[], float] = random.random,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Wire the policy, where copies go, and the time and randomness sources (injectable for tests)."""
        self.policy = policy
        self.sender = sender
        self.clock = clock
        self.rand = rand
        self.sleep = sleep

    def patient(self, journal: StepJournal) -> StepJournal:
        """`journal` with its step writes retried inline (`PatientJournal`), so an answered step is never lost."""
        return PatientJournal(journal, self.policy, rand=self.rand, sleep=self.sleep)

    async def settle(
        self, origin: RetryOrigin, error: TransientError, fail_run: Callable[[str], Awaitable[Settlement]]
    ) -> Settlement:
        """Reschedule the message, or, once its streak is past the retry budget, fail the run with the last error.

        Args:
            origin: The failed message.
            error: Its transient error.
            fail_run: Fails the run with the reason given (and settles the message as that does).
        """
        spent = self.budget_spent(origin)
        if spent is None:
            return await self.reschedule(origin, error)
        return await fail_run(f"{error.reason} (still failing after {spent:.0f}s of retries)")

    def budget_spent(self, origin: RetryOrigin) -> float | None:
        """Seconds the message's streak of transient failures has lasted, once past the budget; else None."""
        incoming = origin.incoming
        marks = RetryMarks.of(incoming.message_id, incoming.application_properties)
        now = self.clock.now()
        start = marks.streak_start(now)
        return (now - start).total_seconds() if self.policy.exhausted(start, now) else None

    async def reschedule(self, origin: RetryOrigin, error: TransientError) -> Settlement:
        """Schedule the next copy of the message and say how to settle the original.

        Returns:
            COMPLETE (outcome `rescheduled`) once the copy is sent; ABANDON (outcome `retry`) when it could not be.
        """
        incoming = origin.incoming
        now = self.clock.now()
        marks = RetryMarks.of(incoming.message_id, incoming.application_properties).following(now)
        delay = self.policy.delay(marks.attempt, error.retry_after, self.rand)
        copy = RetryCopy(
            queue=origin.queue,
            body=incoming.body,
            message_id=marks.copy_message_id(),
            at=scheduled_time(now, delay),
            properties={**incoming.application_properties, **marks.properties()},
            session_id=incoming.session_id,
            subject=origin.subject,
            correlation_id=origin.correlation_id,
        )
        queue = origin.queue
        kind = type(error).__name__
        if not await self._send(copy):
            return Settlement(SettlementKind.ABANDON, kind, error.reason, outcome=Outcome.RETRY)
        logger.info(
            "message %s of %s failed with %s: retry %d scheduled in %.1fs",
            incoming.message_id,
            queue,
            kind,
            marks.attempt,
            delay,
        )
        return Settlement(
            SettlementKind.COMPLETE, kind, f"retry {marks.attempt} in {delay:.1f}s", outcome=Outcome.RESCHEDULED
        )

    async def _send(self, copy: RetryCopy) -> bool:
        try:
            await retry_inline(lambda: self.sender.send_copy(copy), self.policy, rand=self.rand, sleep=self.sleep)
            return True
        except TransientError:
            return False
        except Exception:  # a copy Service Bus refuses for good: abandon, as without back-off
            logger.warning("the retry copy %s of %s could not be sent", copy.message_id, copy.queue, exc_info=True)
            return False
