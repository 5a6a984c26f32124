"""Date and time functions. Source: learn.microsoft.com/azure/cosmos-db/nosql/query/date-time-functions.

Date-times are ISO 8601 UTC strings `YYYY-MM-DDThh:mm:ss.fffffffZ` with 100 ns precision, so they are
handled internally as ticks (100 ns) since the Unix epoch rather than as `datetime`, which stops at 1 µs.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import date, timedelta
from typing import Any

from local_emulators.cosmos.query.functions.base import FunctionSpec, as_int, spec
from local_emulators.cosmos.query.values import UNDEFINED, is_number

TICKS_PER_SECOND = 10_000_000
TICKS_PER_DAY = 86_400 * TICKS_PER_SECOND
_EPOCH = date(1970, 1, 1)
_PATTERN = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?Z?")
_PARTS = {
    "year": "year", "yyyy": "year", "yy": "year",
    "month": "month", "mm": "month", "m": "month",
    "day": "day", "dd": "day", "d": "day",
    "hour": "hour", "hh": "hour",
    "minute": "minute", "mi": "minute", "n": "minute",
    "second": "second", "ss": "second", "s": "second",
    "millisecond": "millisecond", "ms": "millisecond",
    "microsecond": "microsecond", "mcs": "microsecond",
    "nanosecond": "nanosecond", "ns": "nanosecond",
}  # fmt: skip
_UNIT_TICKS = {
    "day": TICKS_PER_DAY, "hour": 3600 * TICKS_PER_SECOND, "minute": 60 * TICKS_PER_SECOND,
    "second": TICKS_PER_SECOND, "millisecond": 10_000, "microsecond": 10,
}  # fmt: skip


def parse_ticks(text: Any) -> int | None:
    """Ticks since the epoch for a Cosmos date-time string, or None if it is not one."""
    if not isinstance(text, str):
        return None
    match = _PATTERN.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()
    return _from_parts(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                       int((fraction or "0").ljust(7, "0")))  # fmt: skip


def _from_parts(year: int, month: int, day: int, hour: int, minute: int, second: int, fraction: int) -> int | None:
    if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60 and 0 <= fraction < TICKS_PER_SECOND):
        return None
    try:
        days = (date(year, month, day) - _EPOCH).days
    except ValueError:
        return None
    return days * TICKS_PER_DAY + (hour * 3600 + minute * 60 + second) * TICKS_PER_SECOND + fraction


def format_ticks(ticks: int) -> Any:
    """The Cosmos date-time string for ticks since the epoch (undefined outside years 1-9999)."""
    days, rest = divmod(ticks, TICKS_PER_DAY)
    try:
        day = _EPOCH + timedelta(days=days)
    except OverflowError:
        return UNDEFINED
    seconds, fraction = divmod(rest, TICKS_PER_SECOND)
    hour, minute, second = seconds // 3600, seconds // 60 % 60, seconds % 60
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}T{hour:02d}:{minute:02d}:{second:02d}.{fraction:07d}Z"


def _calendar(ticks: int) -> tuple[date, int]:
    days, rest = divmod(ticks, TICKS_PER_DAY)
    return _EPOCH + timedelta(days=days), rest


def _part_name(part: Any) -> str | None:
    return _PARTS.get(part.lower()) if isinstance(part, str) else None


def _date_time_add(part: Any, amount: Any, text: Any) -> Any:
    unit, count, ticks = _part_name(part), as_int(amount), parse_ticks(text)
    if unit is None or count is None or ticks is None:
        return UNDEFINED
    if unit in ("year", "month"):
        day, rest = _calendar(ticks)
        months = day.year * 12 + day.month - 1 + (count if unit == "month" else 12 * count)
        year, month = divmod(months, 12)
        if not 1 <= year <= 9999:
            return UNDEFINED
        # Like .NET AddMonths, the day is clamped to the end of a shorter month.
        last = calendar.monthrange(year, month + 1)[1]
        shifted = _from_parts(year, month + 1, min(day.day, last), 0, 0, 0, 0)
        return UNDEFINED if shifted is None else format_ticks(shifted + rest)
    delta = count // 100 if unit == "nanosecond" else count * _UNIT_TICKS[unit]
    return format_ticks(ticks + delta)


def _date_time_diff(part: Any, start: Any, end: Any) -> Any:
    unit, first, last = _part_name(part), parse_ticks(start), parse_ticks(end)
    if unit is None or first is None or last is None:
        return UNDEFINED
    if unit in ("year", "month"):
        (a, _), (b, _) = _calendar(first), _calendar(last)
        if unit == "year":
            return b.year - a.year
        return (b.year * 12 + b.month) - (a.year * 12 + a.month)
    if unit == "nanosecond":
        return (last - first) * 100
    # Counts unit boundaries crossed, as SQL Server's DATEDIFF does.
    size = _UNIT_TICKS[unit]
    return last // size - first // size


def _date_time_bin(text: Any, part: Any, size: Any = 1, origin: Any = "1970-01-01T00:00:00.0000000Z") -> Any:
    ticks, unit, count, start = parse_ticks(text), _part_name(part), as_int(size), parse_ticks(origin)
    if ticks is None or unit is None or count is None or count <= 0 or start is None:
        return UNDEFINED
    if unit in ("year", "month"):
        return UNDEFINED  # calendar-length bins are not supported by the emulator
    width = max(count // 100, 1) if unit == "nanosecond" else count * _UNIT_TICKS[unit]
    return format_ticks(start + (ticks - start) // width * width)


def _date_time_part(part: Any, text: Any) -> Any:
    unit, ticks = _part_name(part), parse_ticks(text)
    if unit is None or ticks is None:
        return UNDEFINED
    day, rest = _calendar(ticks)
    seconds, fraction = divmod(rest, TICKS_PER_SECOND)
    values = {
        "year": day.year, "month": day.month, "day": day.day, "hour": seconds // 3600,
        "minute": seconds // 60 % 60, "second": seconds % 60, "millisecond": fraction // 10_000,
        "microsecond": fraction // 10, "nanosecond": fraction * 100,
    }  # fmt: skip
    return values[unit]


def _date_time_from_parts(*parts: Any) -> Any:
    numbers = [as_int(part) for part in parts]
    if any(number is None for number in numbers):
        return UNDEFINED
    year, month, day, hour, minute, second, fraction = [*numbers, 0, 0, 0, 0][:7]
    ticks = _from_parts(year or 0, month or 0, day or 0, hour or 0, minute or 0, second or 0, fraction or 0)
    return UNDEFINED if ticks is None else format_ticks(ticks)


def _to_ticks(text: Any) -> Any:
    ticks = parse_ticks(text)
    return UNDEFINED if ticks is None else ticks


def _to_timestamp(text: Any) -> Any:
    ticks = parse_ticks(text)
    return UNDEFINED if ticks is None else ticks // 10_000


def _ticks_to_date_time(ticks: Any) -> Any:
    return format_ticks(int(ticks)) if is_number(ticks) else UNDEFINED


def _timestamp_to_date_time(milliseconds: Any) -> Any:
    return format_ticks(int(milliseconds * 10_000)) if is_number(milliseconds) else UNDEFINED


def _now_ticks() -> int:
    return time.time_ns() // 100


FUNCTIONS: tuple[FunctionSpec, ...] = (
    spec("GETCURRENTDATETIME", 0, 0, lambda: format_ticks(_now_ticks())),
    spec("GETCURRENTDATETIMESTATIC", 0, 0, lambda: format_ticks(_now_ticks())),
    spec("GETCURRENTTIMESTAMP", 0, 0, lambda: _now_ticks() // 10_000),
    spec("GETCURRENTTIMESTAMPSTATIC", 0, 0, lambda: _now_ticks() // 10_000),
    spec("GETCURRENTTICKS", 0, 0, _now_ticks),
    spec("GETCURRENTTICKSSTATIC", 0, 0, _now_ticks),
    spec("DATETIMEADD", 3, 3, _date_time_add),
    spec("DATETIMEDIFF", 3, 3, _date_time_diff),
    spec("DATETIMEBIN", 2, 4, _date_time_bin),
    spec("DATETIMEPART", 2, 2, _date_time_part),
    spec("DATETIMEFROMPARTS", 3, 7, _date_time_from_parts),
    spec("DATETIMETOTICKS", 1, 1, _to_ticks),
    spec("DATETIMETOTIMESTAMP", 1, 1, _to_timestamp),
    spec("TICKSTODATETIME", 1, 1, _ticks_to_date_time),
    spec("TIMESTAMPTODATETIME", 1, 1, _timestamp_to_date_time),
)
