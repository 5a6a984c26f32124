"""The back-off schedule of a message that failed with a transient error, and the marks its retry copy carries.

Abandoning a message lets Service Bus redeliver it at once, so a model outage of a minute would burn the queue's
`maxDeliveryCount` (10) in seconds and dead-letter the run's message. Instead the host completes the message and
schedules a copy of it for later (`switchboard.hosting.transient_retry`). This module decides *when*: exponential
back-off from `base_seconds`, capped at `max_delay_seconds`, never sooner than the failing dependency asked
(`TransientError.retry_after`), with random jitter on top so a throttled fleet does not come back in step. It also
decides *whether*: each copy carries when its streak of transient failures began, and once that streak is older
than the retry budget the run fails with the last error. A hop that succeeds sends new messages without marks, so
the next failure starts a new streak.

Nothing here does I/O; the clock and the random source are passed in.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from switchboard.hosting.settings import HostingSettings, HostingSettingsError

RETRY_ATTEMPT = "retry_attempt"
"""Application property of a retry copy: which retry it is (1 for the first copy)."""
RETRY_SINCE = "retry_since"
"""Application property of a retry copy: when its streak of transient failures began (ISO 8601, UTC)."""
RETRY_OF = "retry_of"
"""Application property of a retry copy: the Service Bus MessageId of the message it retries."""

_MARKS = frozenset({RETRY_ATTEMPT, RETRY_SINCE, RETRY_OF})
_MAX_MESSAGE_ID = 128  # Service Bus refuses longer MessageIds.
_COPY_IDS = uuid.UUID("6f1d8c2e-94b7-4a3f-8e21-5c0b7d9a4e16")


@dataclass(frozen=True)
class BackoffPolicy:
    """How long a message waits after a transient failure, and for how long a run keeps retrying.

    Attributes:
        base_seconds: The wait before the first retry; doubles with each retry.
        max_delay_seconds: The longest computed wait (a dependency's own `retry_after` may ask for longer).
        budget_seconds: How long a streak of transient failures may last before the run fails with the last error.
        jitter: The fraction of the wait added at random (0.2: up to 20 % longer), so retries do not come in step.
        max_inline_seconds: How long a hop may hold its message lock waiting inline: to write a step the model has
            already answered, or to send its retry copy while Service Bus is busy.
    """

    base_seconds: float = 2.0
    max_delay_seconds: float = 120.0
    budget_seconds: float = 900.0
    jitter: float = 0.2
    max_inline_seconds: float = 30.0

    def __post_init__(self) -> None:
        if self.base_seconds <= 0 or self.max_delay_seconds < self.base_seconds:
            raise ValueError("a back-off needs 0 < base_seconds <= max_delay_seconds")
        if self.budget_seconds < 0 or self.jitter < 0 or self.max_inline_seconds < 0:
            raise ValueError("budget_seconds, jitter and max_inline_seconds cannot be negative")

    @classmethod
    def from_settings(cls, settings: HostingSettings) -> BackoffPolicy:
        """The policy the `SWITCHBOARD_RETRY_*` settings describe.

        Raises:
            HostingSettingsError: The maximum delay is shorter than the base delay.
        """
        if settings.retry_max_delay_seconds < settings.retry_base_seconds:
            raise HostingSettingsError(
                "SWITCHBOARD_RETRY_MAX_DELAY_SECONDS must be at least SWITCHBOARD_RETRY_BASE_SECONDS "
                f"({settings.retry_max_delay_seconds} < {settings.retry_base_seconds})"
            )
        return cls(
            base_seconds=settings.retry_base_seconds,
            max_delay_seconds=settings.retry_max_delay_seconds,
            budget_seconds=settings.retry_budget_seconds,
        )

    def delay(self, attempt: int, retry_after: float | None, rand: Callable[[], float]) -> float:
        """Seconds before retry number `attempt` (1-based): exponential, at least `retry_after`, plus jitter.

        Args:
            attempt: Which retry this wait precedes.
            retry_after: The dependency's own hint, when it gave one.
            rand: A uniform random number in [0, 1).
        """
        backoff = min(self.base_seconds * 2.0 ** max(attempt - 1, 0), self.max_delay_seconds)
        wait = max(backoff, retry_after or 0.0)
        return wait * (1.0 + self.jitter * rand())

    def exhausted(self, since: datetime, now: datetime) -> bool:
        """Whether a streak of failures that began at `since` has used up the retry budget by `now`."""
        return (now - since).total_seconds() >= self.budget_seconds


@dataclass(frozen=True)
class RetryMarks:
    """Where a message stands in its streak of transient failures, as its application properties say.

    Attributes:
        original_id: The Service Bus MessageId of the first message of the streak.
        attempt: How many retries came before this delivery (0: not a retry copy).
        since: When the streak began; None on a message that is not a retry copy.
    """

    original_id: str
    attempt: int = 0
    since: datetime | None = None

    @classmethod
    def of(cls, message_id: str, properties: Mapping[str, str]) -> RetryMarks:
        """Read the marks of a received message (a message without them, or with unreadable ones, starts fresh)."""
        original = properties.get(RETRY_OF) or message_id
        try:
            attempt = max(int(properties.get(RETRY_ATTEMPT, "0")), 0)
            since_text = properties.get(RETRY_SINCE)
            since = datetime.fromisoformat(since_text) if since_text else None
        except ValueError:
            return cls(original_id=original)
        if since is not None and since.tzinfo is None:
            return cls(original_id=original)
        return cls(original_id=original, attempt=attempt, since=since)

    def streak_start(self, now: datetime) -> datetime:
        """When the streak began: the marks' time, or `now` for the first failure."""
        return self.since or now

    def following(self, now: datetime) -> RetryMarks:
        """The marks of the next retry copy after a failure at `now`."""
        return RetryMarks(original_id=self.original_id, attempt=self.attempt + 1, since=self.streak_start(now))

    def copy_message_id(self) -> str:
        """The Service Bus MessageId of the copy carrying these marks.

        It cannot be the original's: duplicate detection remembers every MessageId sent within its window, completed
        or not, and would drop the copy. A suffix per attempt keeps it deterministic, so two deliveries of one
        message that both fail schedule one copy, not two (the second is dropped as a duplicate). The envelope in
        the body keeps its own id, so the inbox mark still recognises a handled message.
        """
        candidate = f"{self.original_id}/retry-{self.attempt}"
        if len(candidate) <= _MAX_MESSAGE_ID:
            return candidate
        return f"retry-{uuid.uuid5(_COPY_IDS, candidate)}"

    def properties(self) -> dict[str, str]:
        """The application properties that carry these marks."""
        marks = {RETRY_OF: self.original_id, RETRY_ATTEMPT: str(self.attempt)}
        if self.since is not None:
            marks[RETRY_SINCE] = self.since.isoformat()
        return marks


def without_marks(properties: Mapping[str, str]) -> dict[str, str]:
    """The properties with any retry marks removed (a replayed dead letter starts a fresh streak)."""
    return {name: value for name, value in properties.items() if name not in _MARKS}


def scheduled_time(now: datetime, delay: float) -> datetime:
    """The enqueue time of a copy that waits `delay` seconds."""
    return now + timedelta(seconds=delay)
