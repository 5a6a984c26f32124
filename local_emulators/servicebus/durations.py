"""ISO 8601 durations as Service Bus writes them (`PT1M`, `P14D`, `PT0.5S`, `P10675199DT2H48M5.4775807S`)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

_DURATION = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)

# .NET's TimeSpan.MaxValue, which Service Bus uses for "never" (e.g. the default message TTL in Azure).
TIMESPAN_MAX = timedelta(days=10675199, hours=2, minutes=48, seconds=5, microseconds=477580)


def parse_duration(text: str) -> timedelta:
    """Parse an ISO 8601 duration.

    Years count 365 days and months 30, as .NET's XmlConvert does; only seconds may have a fraction,
    which is cut to whole microseconds
    (.NET ticks are 100 ns).

    Args:
        text: The duration, e.g. `PT1H30M`.

    Returns:
        The duration.

    Raises:
        ValueError: If the text is not an ISO 8601 duration.
    """
    match = _DURATION.fullmatch(text.strip())
    if match is None or not any(match.groupdict().values()) or text.strip().endswith("T"):
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as PT1M, PT30S or P14D")
    parts = {name: int(value) for name, value in match.groupdict().items() if value and name != "seconds"}
    days = parts.get("years", 0) * 365 + parts.get("months", 0) * 30 + parts.get("weeks", 0) * 7
    seconds = Decimal(match.group("seconds") or 0)
    whole = int(seconds)
    micro = int(((seconds - whole) * 1_000_000).to_integral_value(ROUND_DOWN))
    return timedelta(
        days=days + parts.get("days", 0),
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
        seconds=whole,
        microseconds=micro,
    )


def format_duration(value: timedelta) -> str:
    """Render a non-negative duration in ISO 8601 (`P1DT2H`, `PT0.5S`, `PT0S`)."""
    if value < timedelta(0):
        raise ValueError("negative durations have no ISO 8601 form here")
    days = value.days
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = "P" + (f"{days}D" if days else "")
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if value.microseconds:
        clock += f"{seconds}.{value.microseconds:06d}".rstrip("0") + "S"
    elif seconds or (not days and not clock):
        clock += f"{seconds}S"
    return text + ("T" + clock if clock else "")
