from __future__ import annotations

from datetime import UTC, datetime

import pytest

from switchboard.models.errors import (
    ModelRateLimitedError,
    ModelRequestRejectedError,
    ModelTimeoutError,
    ModelUnavailableError,
)
from switchboard.models.retry import RetryPolicy, call_with_retries, parse_retry_after


def test_retry_after_wins_over_backoff_but_is_capped() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=10.0, jitter=0.0)
    assert policy.delay(1, 3.0) == 3.0
    assert policy.delay(1, 99.0) == 10.0
    assert policy.delay(1, None) == 0.5
    assert policy.delay(3, None) == 2.0


def test_parse_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("250ms") == 0.25
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:05 GMT", now=now) == 5.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


async def test_transient_errors_are_retried_with_the_servers_delay() -> None:
    waits: list[float] = []
    failures: list[Exception] = [
        ModelRateLimitedError("429", retry_after=1.5),
        ModelUnavailableError("503"),
        ModelTimeoutError("slow"),
    ]

    async def call() -> str:
        if failures:
            raise failures.pop(0)
        return "ok"

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    result = await call_with_retries(call, RetryPolicy(max_attempts=4, base_delay=0.1, jitter=0.0), sleep=sleep)
    assert result == "ok"
    assert waits == [1.5, 0.2, 0.4]


async def test_gives_up_after_max_attempts_with_the_last_error() -> None:
    calls = 0

    async def call() -> str:
        nonlocal calls
        calls += 1
        raise ModelUnavailableError(f"attempt {calls}")

    async def sleep(seconds: float) -> None:
        return None

    with pytest.raises(ModelUnavailableError) as caught:
        await call_with_retries(call, RetryPolicy(max_attempts=3), sleep=sleep)
    assert calls == 3
    assert caught.value.retryable


async def test_permanent_errors_are_not_retried() -> None:
    calls = 0

    async def call() -> str:
        nonlocal calls
        calls += 1
        raise ModelRequestRejectedError("bad request")

    with pytest.raises(ModelRequestRejectedError) as caught:
        await call_with_retries(call, RetryPolicy(max_attempts=5))
    assert calls == 1
    assert not caught.value.retryable
