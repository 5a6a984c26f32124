"""Retries with exponential backoff for model calls, honouring the server's Retry-After."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from switchboard.models.errors import ModelRateLimitedError, ModelTransientError, ModelUnavailableError

T = TypeVar("T")

logger = logging.getLogger("switchboard.models")

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry transient model failures.

    Attributes:
        max_attempts: Total attempts including the first one.
        base_delay: Delay before the second attempt; doubles each time.
        max_delay: Upper bound for any single delay, including a server's Retry-After.
        jitter: Fraction of the delay added at random, so many clients do not retry in step.
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: float = 0.1

    def delay(self, attempt: int, retry_after: float | None, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based).

        A server's Retry-After wins over the computed backoff (capped by `max_delay`).
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        backoff = self.base_delay * 2.0 ** (attempt - 1)
        return min(backoff * (1 + self.jitter * rand()), self.max_delay)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Read a Retry-After header (seconds, or an HTTP date) or Azure's `retry-after-ms`.

    Args:
        value: The header text; a value ending in `ms` is milliseconds.
        now: The current time for HTTP-date values (defaults to the wall clock).

    Returns:
        Seconds to wait, or None when the header is missing or unreadable.
    """
    if not value:
        return None
    text = value.strip()
    try:
        if text.endswith("ms"):
            return float(text[:-2]) / 1000.0
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    current = now or datetime.now(UTC)
    return max((when - current).total_seconds(), 0.0)


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    sleep: Sleep = asyncio.sleep,
    on_retry: Callable[[int, ModelTransientError, float], None] | None = None,
) -> T:
    """Await `call()`, retrying `ModelTransientError`s according to `policy`.

    Args:
        call: Makes one attempt.
        policy: Attempts and delays.
        sleep: Waits between attempts (injectable so tests need not wait).
        on_retry: Told (attempt, error, delay) before each wait, for logs.

    Returns:
        The first successful result.

    Raises:
        ModelTransientError: The last transient error when every attempt failed.
    """
    attempt = 1
    while True:
        try:
            return await call()
        except ModelTransientError as error:
            if attempt >= policy.max_attempts:
                raise
            hint = error.retry_after if isinstance(error, ModelRateLimitedError | ModelUnavailableError) else None
            wait = policy.delay(attempt, hint)
            if on_retry is not None:
                on_retry(attempt, error, wait)
            await sleep(wait)
            attempt += 1


def log_retry(attempt: int, error: ModelTransientError, delay: float) -> None:
    """Log one retry: the error type and reason (never request content) and the wait."""
    logger.warning(
        "model call attempt %d failed (%s: %s); retrying in %.2fs", attempt, type(error).__name__, error.reason, delay
    )
