"""`PatientJournal`: a step the model (or a tool) has answered is written even while the store is throttled.

A step's result exists only in memory until `record` stores it. If that write failed and the hop were retried,
the model would be asked the same question again: a second bill, and maybe a different answer. So a transient
write failure is retried inline, holding the message lock, honouring the store's own wait hint
(`TransientError.retry_after`), for up to `BackoffPolicy.max_inline_seconds`. Everything else in a hop is cheap to
repeat, so only this write waits inline; the hop's other transient failures are retried later by a scheduled copy.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from switchboard.errors import TransientError
from switchboard.hosting.backoff import BackoffPolicy
from switchboard.runtime.protocols import StepJournal

T = TypeVar("T")


async def retry_inline(
    operation: Callable[[], Awaitable[T]],
    policy: BackoffPolicy,
    *,
    rand: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]],
) -> T:
    """Await `operation`, retrying its transient failures inline while the waits add up to `max_inline_seconds`.

    Each wait is the policy's back-off for that attempt, at least the failure's own hint (`retry_after`).

    Raises:
        TransientError: The last failure, once the next wait would pass `policy.max_inline_seconds`.
    """
    waited = 0.0
    attempt = 0
    while True:
        try:
            return await operation()
        except TransientError as error:
            attempt += 1
            wait = policy.delay(attempt, error.retry_after, rand)
            if waited + wait > policy.max_inline_seconds:
                raise
            await sleep(wait)
            waited += wait


class PatientJournal:
    """A `StepJournal` whose `record` waits out transient failures; `recall` goes straight through."""

    def __init__(
        self,
        journal: StepJournal,
        policy: BackoffPolicy,
        *,
        rand: Callable[[], float] = random.random,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Wrap `journal`; `rand` and `sleep` are injectable so tests need not wait."""
        self._journal = journal
        self._policy = policy
        self._rand = rand
        self._sleep = sleep

    async def recall(self, run_id: str, key: str) -> Mapping[str, Any] | None:
        """The journaled step under `key`, or None."""
        return await self._journal.recall(run_id, key)

    async def record(self, run_id: str, key: str, value: Mapping[str, Any]) -> Mapping[str, Any]:
        """Write the step, retrying transient failures for up to `max_inline_seconds`.

        Returns:
            The value the journal keeps: `value`, or the one another instance recorded first.

        Raises:
            TransientError: The last failure, when the store stayed unavailable for longer than that.
        """
        return await retry_inline(
            lambda: self._journal.record(run_id, key, value), self._policy, rand=self._rand, sleep=self._sleep
        )
