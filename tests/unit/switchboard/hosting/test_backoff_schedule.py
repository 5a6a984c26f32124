"""The back-off schedule, the retry budget and the marks a retry copy carries: pure functions, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from azure.cosmos.exceptions import CosmosBatchOperationError, CosmosHttpResponseError
from azure.servicebus.exceptions import ServiceBusServerBusyError

from switchboard.errors import TransientError
from switchboard.hosting.backoff import (
    RETRY_ATTEMPT,
    RETRY_OF,
    RETRY_SINCE,
    BackoffPolicy,
    RetryMarks,
    without_marks,
)
from switchboard.hosting.settings import HostingSettings, HostingSettingsError
from switchboard.models.errors import ModelRateLimitedError, ModelUnavailableError
from switchboard.state.errors import StoreUnavailableError, store_error
from switchboard.transport.errors import SERVER_BUSY_SECONDS, BusBusyError, bus_error

NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)


def test_the_wait_doubles_from_the_base_up_to_the_cap() -> None:
    policy = BackoffPolicy(base_seconds=1.0, max_delay_seconds=8.0, jitter=0.2)
    assert [policy.delay(attempt, None, lambda: 0.0) for attempt in range(1, 7)] == [1, 2, 4, 8, 8, 8]


def test_the_wait_is_never_shorter_than_the_dependency_asked_even_past_the_cap() -> None:
    policy = BackoffPolicy(base_seconds=1.0, max_delay_seconds=8.0, jitter=0.2)
    assert policy.delay(1, 20.0, lambda: 0.0) == 20.0
    assert policy.delay(5, 3.0, lambda: 0.0) == 8.0  # the back-off is longer than the hint: the back-off wins


@pytest.mark.parametrize("rand", [0.0, 0.25, 0.5, 0.999])
def test_jitter_only_lengthens_the_wait_by_at_most_its_fraction(rand: float) -> None:
    policy = BackoffPolicy(base_seconds=2.0, max_delay_seconds=60.0, jitter=0.2)
    wait = policy.delay(3, 5.0, lambda: rand)
    assert 8.0 <= wait < 8.0 * 1.2
    assert wait == pytest.approx(8.0 * (1 + 0.2 * rand))


def test_the_budget_is_used_up_once_the_streak_is_as_old_as_the_budget() -> None:
    policy = BackoffPolicy(budget_seconds=900.0)
    assert not policy.exhausted(NOW, NOW + timedelta(seconds=899))
    assert policy.exhausted(NOW, NOW + timedelta(seconds=900))
    assert BackoffPolicy(budget_seconds=0).exhausted(NOW, NOW)  # a zero budget: no retries at all


def test_a_policy_that_cannot_work_is_refused() -> None:
    with pytest.raises(ValueError, match="base_seconds"):
        BackoffPolicy(base_seconds=5.0, max_delay_seconds=1.0)
    with pytest.raises(ValueError, match="negative"):
        BackoffPolicy(budget_seconds=-1)


def test_settings_name_the_policy_and_default_to_a_quarter_of_an_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    assert BackoffPolicy.from_settings(HostingSettings()).budget_seconds == 900.0
    monkeypatch.setenv("SWITCHBOARD_RETRY_BUDGET_SECONDS", "30")
    monkeypatch.setenv("SWITCHBOARD_RETRY_BASE_SECONDS", "0.5")
    monkeypatch.setenv("SWITCHBOARD_RETRY_MAX_DELAY_SECONDS", "4")
    policy = BackoffPolicy.from_settings(HostingSettings())
    assert (policy.budget_seconds, policy.base_seconds, policy.max_delay_seconds) == (30.0, 0.5, 4.0)
    monkeypatch.setenv("SWITCHBOARD_RETRY_MAX_DELAY_SECONDS", "0.1")
    with pytest.raises(HostingSettingsError, match="SWITCHBOARD_RETRY_MAX_DELAY_SECONDS"):
        BackoffPolicy.from_settings(HostingSettings())


def test_a_message_without_marks_starts_a_streak_and_each_copy_counts_on() -> None:
    first = RetryMarks.of("msg-1", {"type": "x"})
    assert (first.original_id, first.attempt, first.since) == ("msg-1", 0, None)
    copy = first.following(NOW)
    assert (copy.original_id, copy.attempt, copy.since) == ("msg-1", 1, NOW)
    received = RetryMarks.of(copy.copy_message_id(), {"type": "x", **copy.properties()})
    assert received == copy
    second = received.following(NOW + timedelta(seconds=30))
    assert (second.attempt, second.since) == (2, NOW)  # the streak keeps its start


def test_each_copy_has_its_own_deterministic_message_id_never_the_originals() -> None:
    marks = RetryMarks.of("msg-1", {})
    ids = [marks.following(NOW).copy_message_id(), marks.following(NOW).following(NOW).copy_message_id()]
    assert ids == ["msg-1/retry-1", "msg-1/retry-2"]
    assert "msg-1" not in ids
    long = RetryMarks(original_id="x" * 128, attempt=3, since=NOW)
    assert len(long.copy_message_id()) <= 128
    assert long.copy_message_id() == RetryMarks(original_id="x" * 128, attempt=3, since=NOW).copy_message_id()
    assert long.copy_message_id() != RetryMarks(original_id="x" * 128, attempt=4, since=NOW).copy_message_id()


@pytest.mark.parametrize(
    "properties",
    [
        {RETRY_ATTEMPT: "many", RETRY_SINCE: NOW.isoformat()},
        {RETRY_ATTEMPT: "2", RETRY_SINCE: "yesterday"},
        {RETRY_ATTEMPT: "2", RETRY_SINCE: "2026-12-07T20:00:00"},  # no time zone
    ],
)
def test_unreadable_marks_start_a_fresh_streak(properties: dict[str, str]) -> None:
    marks = RetryMarks.of("msg-1", {RETRY_OF: "first", **properties})
    assert (marks.original_id, marks.attempt, marks.since) == ("first", 0, None)


def test_a_replay_drops_the_marks_and_keeps_everything_else() -> None:
    marks = RetryMarks(original_id="a", attempt=2, since=NOW).properties()
    assert without_marks({"type": "x", "traceparent": "t", **marks}) == {"type": "x", "traceparent": "t"}


def test_each_dependency_gives_its_wait_hint_by_type() -> None:
    assert ModelRateLimitedError("429", retry_after=7.0).retry_after == 7.0
    assert ModelUnavailableError("503", retry_after=2.0).retry_after == 2.0
    assert TransientError("no hint").retry_after is None
    throttled = CosmosHttpResponseError(status_code=429, message="throttled")  # type: ignore[no-untyped-call]
    throttled.headers = {"x-ms-retry-after-ms": "1500"}
    mapped = store_error(throttled, "read run r")
    assert isinstance(mapped, StoreUnavailableError)
    assert mapped.retry_after == 1.5
    batch = CosmosBatchOperationError(  # type: ignore[no-untyped-call]
        error_index=0,
        headers={"x-ms-retry-after-ms": "250"},
        status_code=429,
        message="x",
        operation_responses=[],
    )
    assert store_error(batch, "commit").retry_after == 0.25  # type: ignore[attr-defined]
    busy = bus_error(ServiceBusServerBusyError(message="busy"), "send to queue 'x'")
    assert isinstance(busy, BusBusyError)
    assert busy.retry_after == SERVER_BUSY_SECONDS


def test_a_throttled_commit_batch_carries_the_wait_its_throttled_operation_asked_for() -> None:
    from switchboard.runtime.protocols import Commit
    from switchboard.state.run_store import _batch_error

    commit = Commit(agent="a", run_id="r", message_id="m", schema_version=1, state={}, expected_etag=None)
    batch = CosmosBatchOperationError(  # type: ignore[no-untyped-call]
        error_index=2,
        headers={},
        status_code=429,
        message="x",
        operation_responses=[
            {"statusCode": 424},
            {"statusCode": 424},
            {"statusCode": 429, "retryAfterMilliseconds": 300},
        ],
    )
    error = _batch_error(batch, commit, run_patch_op=None)
    assert isinstance(error, StoreUnavailableError)
    assert error.retry_after == 0.3
