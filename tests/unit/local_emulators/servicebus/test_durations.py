"""ISO 8601 durations as written in Config.json."""

from __future__ import annotations

from datetime import timedelta

import pytest

from local_emulators.servicebus.durations import TIMESPAN_MAX, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT1M", timedelta(minutes=1)),
        ("PT20S", timedelta(seconds=20)),
        ("PT1H", timedelta(hours=1)),
        ("P14D", timedelta(days=14)),
        ("PT0.5S", timedelta(milliseconds=500)),
        ("PT1H30M15S", timedelta(hours=1, minutes=30, seconds=15)),
        ("P1DT12H", timedelta(days=1, hours=12)),
        ("P2W", timedelta(days=14)),
        ("P1Y", timedelta(days=365)),
        ("P1M", timedelta(days=30)),
        ("P1MT1M", timedelta(days=30, minutes=1)),
        ("PT0S", timedelta(0)),
        (" PT5S ", timedelta(seconds=5)),
        ("PT0.0000001S", timedelta(0)),
        ("PT0.0000019S", timedelta(microseconds=1)),
        ("P10675199DT2H48M5.4775807S", TIMESPAN_MAX),
    ],
)
def test_parse(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "P", "PT", "P1DT", "1M", "PT1.5M", "-PT1M", "PT1M1H", "pt1m", "P1.5D", "PT-1S", "60"]
)
def test_reject(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(0), "PT0S"),
        (timedelta(minutes=1), "PT1M"),
        (timedelta(days=14), "P14D"),
        (timedelta(milliseconds=500), "PT0.5S"),
        (timedelta(days=1, hours=2, minutes=3, seconds=4), "P1DT2H3M4S"),
        (timedelta(hours=1, microseconds=1), "PT1H0.000001S"),
    ],
)
def test_format_round_trips(value: timedelta, text: str) -> None:
    assert format_duration(value) == text
    assert parse_duration(text) == value


def test_format_refuses_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_duration(timedelta(seconds=-1))
