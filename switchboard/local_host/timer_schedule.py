"""Timer-trigger schedules as the Functions host reads them: NCRONTAB with seconds, or a TimeSpan interval.

NCRONTAB: six fields, `{second} {minute} {hour} {day} {month} {day-of-week}`, each `*`, a number, a range `a-b`,
a step `*/n` or `a-b/n`, or a comma list of those; months and days of the week also by their English three-letter
names (`Jan`, `Mon`), days of the week 0-6 from Sunday. When both day fields are restricted, a time must match
both. A TimeSpan (`hh:mm:ss`, e.g. `00:00:30`) means "every interval". A `%Name%` schedule is resolved from the
app settings before parsing (`AppSettings.resolve`), as the host does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from switchboard.local_host.errors import AppLoadError
from switchboard.local_host.host_config import parse_timespan

_MONTHS = {
    name: n
    for n, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}
_DAYS = {name: n for n, name in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
# (low, high, names) of each field, in order.
_FIELDS: tuple[tuple[int, int, Mapping[str, int]], ...] = (
    (0, 59, {}),
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (1, 12, _MONTHS),
    (0, 6, _DAYS),
)
_SEARCH_DAYS = 5 * 366


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: `next_after` gives its next occurrence."""

    text: str
    interval: timedelta | None = None
    fields: tuple[frozenset[int], ...] = ()

    @classmethod
    def parse(cls, text: str) -> Schedule:
        """Parse an NCRONTAB expression or a TimeSpan.

        Raises:
            AppLoadError: The text is neither (the message names the bad field).
        """
        parts = text.split()
        if len(parts) == 1 and ":" in parts[0]:
            interval = parse_timespan(parts[0])
            if interval <= timedelta(0):
                raise AppLoadError(f"timer schedule {text!r}: the interval must be positive")
            return cls(text, interval=interval)
        if len(parts) != len(_FIELDS):
            raise AppLoadError(f"timer schedule {text!r}: NCRONTAB needs 6 fields (second minute hour day month dow)")
        fields = tuple(_field(part, *spec, text=text) for part, spec in zip(parts, _FIELDS, strict=True))
        return cls(text, fields=fields)

    def next_after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after `moment` (same time zone; whole seconds)."""
        start = moment.replace(microsecond=0) + timedelta(seconds=1)
        if self.interval is not None:
            return moment + self.interval
        seconds, minutes, hours, days, months, weekdays = self.fields
        day = start.replace(hour=0, minute=0, second=0)
        for _ in range(_SEARCH_DAYS):
            # Python's Monday is 0, NCRONTAB's Sunday is.
            if day.month in months and day.day in days and (day.weekday() + 1) % 7 in weekdays:
                for hour in sorted(hours):
                    for minute in sorted(minutes):
                        for second in sorted(seconds):
                            candidate = day.replace(hour=hour, minute=minute, second=second)
                            if candidate >= start:
                                return candidate
            day += timedelta(days=1)
        raise AppLoadError(f"timer schedule {self.text!r} never occurs")


def _field(part: str, low: int, high: int, names: Mapping[str, int], *, text: str) -> frozenset[int]:
    values: set[int] = set()
    for item in part.split(","):
        body, _, step_text = item.partition("/")
        step = _number(step_text, names={}, text=text) if step_text else 1
        if step < 1:
            raise AppLoadError(f"timer schedule {text!r}: step {item!r} must be at least 1")
        if body == "*":
            first, last = low, high
        elif "-" in body:
            first_text, last_text = body.split("-", 1)
            first, last = _number(first_text, names, text=text), _number(last_text, names, text=text)
        else:
            first = _number(body, names, text=text)
            last = high if step_text else first
        if not low <= first <= last <= high:
            raise AppLoadError(f"timer schedule {text!r}: {item!r} is outside {low}-{high}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _number(token: str, names: Mapping[str, int], *, text: str) -> int:
    named = names.get(token.lower())
    if named is not None:
        return named
    if not token.isdigit():
        raise AppLoadError(f"timer schedule {text!r}: {token!r} is not a number")
    return int(token)
