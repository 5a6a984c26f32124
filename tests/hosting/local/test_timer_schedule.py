"""NCRONTAB (six fields, seconds first) and TimeSpan schedules of timer triggers: next occurrences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from switchboard.local_host.errors import AppLoadError
from switchboard.local_host.timer_schedule import Schedule

AT = datetime(2026, 12, 7, 20, 0, 3, 500, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("*/2 * * * * *", datetime(2026, 12, 7, 20, 0, 4, tzinfo=UTC)),
        ("0 */5 * * * *", datetime(2026, 12, 7, 20, 5, tzinfo=UTC)),
        ("5,10 * * * * *", datetime(2026, 12, 7, 20, 0, 5, tzinfo=UTC)),
        ("0 30 9 * * Mon-Fri", datetime(2026, 12, 8, 9, 30, tzinfo=UTC)),
        ("0 0 0 * * 0", datetime(2026, 12, 13, tzinfo=UTC)),  # Sunday is 0
        ("0 0 0 1 Jan *", datetime(2027, 1, 1, tzinfo=UTC)),
        ("10-20/5 * * * * *", datetime(2026, 12, 7, 20, 0, 10, tzinfo=UTC)),
    ],
)
def test_the_next_occurrence_of_an_ncrontab_expression(expression: str, expected: datetime) -> None:
    assert Schedule.parse(expression).next_after(AT) == expected


def test_the_next_occurrence_is_strictly_after_the_moment() -> None:
    on_the_second = datetime(2026, 12, 7, 20, 0, 4, tzinfo=UTC)
    assert Schedule.parse("*/2 * * * * *").next_after(on_the_second) == on_the_second + timedelta(seconds=2)


def test_a_timespan_schedule_is_an_interval() -> None:
    assert Schedule.parse("00:00:30").next_after(AT) == AT + timedelta(seconds=30)


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("* * * * *", "needs 6 fields"),
        ("61 * * * * *", "'61' is outside 0-59"),
        ("x * * * * *", "'x' is not a number"),
        ("*/0 * * * * *", "must be at least 1"),
        ("0 0 0 31 Feb *", "never occurs"),
        ("00:00:00", "must be positive"),
    ],
)
def test_a_bad_schedule_is_refused_with_the_reason(expression: str, says: str) -> None:
    with pytest.raises(AppLoadError, match=says):
        Schedule.parse(expression).next_after(AT)
