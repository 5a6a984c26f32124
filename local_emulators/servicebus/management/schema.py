"""The properties of queues, topics and subscriptions as the ATOM API names, orders and bounds them.

Each entity kind is a table of `Field`s in the order Azure writes them. Settable fields are read from
request bodies and checked here; read-only ones (counts, timestamps) are filled in by the catalog.
Defaults and bounds are Azure's (a created queue gets MaxDeliveryCount 10 and never-expiring messages),
not those of Microsoft's emulator config file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from local_emulators.servicebus.durations import TIMESPAN_MAX, format_duration, parse_duration
from local_emulators.servicebus.errors import ArgumentError

# .NET's TimeSpan.MaxValue as Service Bus writes it: "never" for TTLs and auto-delete.
NEVER_TEXT = "P10675199DT2H48M5.4775807S"
DURATION, INT, BOOL, TEXT, ENTITY, STATUS, RUNTIME = "duration", "int", "bool", "text", "entity", "status", "runtime"
XML = "xml"  # kept as the client wrote it and echoed back (authorization rules)
STATUSES = ("Active", "Disabled", "SendDisabled", "ReceiveDisabled")
# Azure's name rules: queues and topics up to 260 characters (slashes allowed), subscriptions and rules 50.
ENTITY_NAME = re.compile(r"[A-Za-z0-9](?:[\w.\-/]{0,258}[A-Za-z0-9])?")
CHILD_NAME = re.compile(r"\$Default|[A-Za-z0-9](?:[\w.\-]{0,48}[A-Za-z0-9])?")


@dataclass(frozen=True)
class Field:
    """One property of an entity description.

    Attributes:
        name: The XML element name.
        kind: How its text converts (`DURATION`, `INT`, ...); `RUNTIME` fields are computed, never read.
        default: Value when a create leaves it out (None: empty, or "never" for durations).
        low: Smallest allowed value, if bounded.
        high: Largest allowed value, if bounded.
        fixed: Whether an update may not change it (Azure refuses, e.g. RequiresSession).
    """

    name: str
    kind: str
    default: Any = None
    low: Any = None
    high: Any = None
    fixed: bool = False


_MINUTE = timedelta(minutes=1)
_LOCK = Field("LockDuration", DURATION, _MINUTE, timedelta(seconds=5), timedelta(minutes=5))
_TTL = Field("DefaultMessageTimeToLive", DURATION, None, timedelta(seconds=1))
_DUP_WINDOW = Field(
    "DuplicateDetectionHistoryTimeWindow", DURATION, timedelta(minutes=10), timedelta(seconds=20), timedelta(days=7)
)
_AUTO_DELETE = Field("AutoDeleteOnIdle", DURATION, None, timedelta(minutes=5))
_MAX_DELIVERY = Field("MaxDeliveryCount", INT, 10, 1)
_MAX_SIZE = Field("MaxSizeInMegabytes", INT, 1024, 1)
# Premium namespaces take 1024-102400; basic and standard (which this emulates) only their fixed 256.
_MAX_MESSAGE_KB = Field("MaxMessageSizeInKilobytes", INT, 256, 256, 256)
_COMMON_RUNTIME = ("CreatedAt", "UpdatedAt", "AccessedAt")


def _runtime(*names: str) -> tuple[Field, ...]:
    return tuple(Field(name, RUNTIME) for name in names)


QUEUE_FIELDS: tuple[Field, ...] = (
    _LOCK,
    _MAX_SIZE,
    Field("RequiresDuplicateDetection", BOOL, False, fixed=True),
    Field("RequiresSession", BOOL, False, fixed=True),
    _TTL,
    Field("DeadLetteringOnMessageExpiration", BOOL, False),
    _DUP_WINDOW,
    _MAX_DELIVERY,
    Field("EnableBatchedOperations", BOOL, True),
    *_runtime("SizeInBytes", "MessageCount", "IsAnonymousAccessible"),
    Field("AuthorizationRules", XML),
    Field("Status", STATUS, "Active"),
    Field("ForwardTo", ENTITY),
    Field("UserMetadata", TEXT),
    *_runtime(*_COMMON_RUNTIME, "SupportOrdering", "CountDetails"),
    _AUTO_DELETE,
    Field("EnablePartitioning", BOOL, False, fixed=True),
    *_runtime("EntityAvailabilityStatus"),
    Field("ForwardDeadLetteredMessagesTo", ENTITY),
    Field("EnableExpress", BOOL, False),
    _MAX_MESSAGE_KB,
)
TOPIC_FIELDS: tuple[Field, ...] = (
    _TTL,
    _MAX_SIZE,
    Field("RequiresDuplicateDetection", BOOL, False, fixed=True),
    _DUP_WINDOW,
    Field("EnableBatchedOperations", BOOL, True),
    *_runtime("SizeInBytes"),
    Field("FilteringMessagesBeforePublishing", BOOL, False),
    *_runtime("IsAnonymousAccessible"),
    Field("AuthorizationRules", XML),
    Field("Status", STATUS, "Active"),
    *_runtime(*_COMMON_RUNTIME),
    Field("SupportOrdering", BOOL, True),
    *_runtime("CountDetails", "SubscriptionCount", "SqlFilterCount", "CorrelationFilterCount"),
    _AUTO_DELETE,
    Field("EnablePartitioning", BOOL, False, fixed=True),
    *_runtime("EntityAvailabilityStatus"),
    Field("EnableSubscriptionPartitioning", BOOL, False, fixed=True),
    Field("EnableExpress", BOOL, False),
    Field("UserMetadata", TEXT),
    _MAX_MESSAGE_KB,
)
SUBSCRIPTION_FIELDS: tuple[Field, ...] = (
    _LOCK,
    Field("RequiresSession", BOOL, False, fixed=True),
    _TTL,
    Field("DeadLetteringOnMessageExpiration", BOOL, False),
    Field("DeadLetteringOnFilterEvaluationExceptions", BOOL, True),
    *_runtime("MessageCount"),
    _MAX_DELIVERY,
    Field("EnableBatchedOperations", BOOL, True),
    Field("Status", STATUS, "Active"),
    Field("ForwardTo", ENTITY),
    *_runtime(*_COMMON_RUNTIME, "CountDetails"),
    Field("UserMetadata", TEXT),
    Field("ForwardDeadLetteredMessagesTo", ENTITY),
    _AUTO_DELETE,
    *_runtime("EntityAvailabilityStatus"),
)
FIELDS = {"queue": QUEUE_FIELDS, "topic": TOPIC_FIELDS, "subscription": SUBSCRIPTION_FIELDS}


def defaults(kind: str) -> dict[str, Any]:
    """The settable properties of a new ``kind`` with nothing specified."""
    return {f.name: f.default for f in FIELDS[kind] if f.kind != RUNTIME}


def read_value(field: Field, text: str | None) -> Any:
    """Convert and check one property's text from a request body.

    Raises:
        ArgumentError: The text is not a valid value for the property (HTTP 400).
    """
    if field.kind == XML:
        return text or None
    text = (text or "").strip()
    if field.kind in (TEXT, ENTITY):
        return text or None
    if not text:
        return field.default
    try:
        value = _convert(field, text)
    except ValueError:
        raise ArgumentError(f"The value '{text}' of {field.name} is not valid.") from None
    if value is not None and field.low is not None and value < field.low:
        raise ArgumentError(f"{field.name} must be at least {_show(field.low)}; it is {text}.")
    if value is not None and field.high is not None and value > field.high:
        raise ArgumentError(f"{field.name} must be at most {_show(field.high)}; it is {text}.")
    return value


def _convert(field: Field, text: str) -> Any:
    if field.kind == DURATION:
        value = parse_duration(text)
        return None if value >= TIMESPAN_MAX - timedelta(seconds=1) else value
    if field.kind == INT:
        return int(text)
    if field.kind == BOOL:
        if text.lower() not in ("true", "false"):
            raise ValueError(text)
        return text.lower() == "true"
    if field.kind == STATUS:
        status = next((s for s in STATUSES if s.lower() == text.lower()), None)
        if status is None:
            raise ValueError(text)
        return status
    raise ValueError(field.kind)


def _show(value: Any) -> str:
    return format_duration(value) if isinstance(value, timedelta) else str(value)


def write_value(field: Field, value: Any) -> str:
    """Render a settable property's value as the API writes it."""
    if field.kind == DURATION:
        return NEVER_TEXT if value is None else format_duration(value)
    if field.kind == BOOL:
        return "true" if value else "false"
    return "" if value is None else str(value)


def check_name(name: str, pattern: re.Pattern[str], what: str) -> None:
    """Refuse a name Azure would refuse (HTTP 400)."""
    if not pattern.fullmatch(name):
        raise ArgumentError(
            f"The {what} name '{name}' is not valid: letters, digits, '.', '-', '_'"
            + (" and '/'" if what == "entity" else "")
            + ", starting and ending with a letter or digit."
        )
