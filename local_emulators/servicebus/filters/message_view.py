"""The read-only view of a message that filters evaluate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

# The system properties a SQL filter may name after `sys.` (the public properties of a Service Bus
# message, as the service exposes them). `Subject` is the newer SDKs' name for `Label`.
SYSTEM_PROPERTIES: tuple[str, ...] = (
    "MessageId",
    "CorrelationId",
    "To",
    "ReplyTo",
    "Label",
    "Subject",
    "SessionId",
    "ReplyToSessionId",
    "ContentType",
    "PartitionKey",
    "ViaPartitionKey",
    "TimeToLive",
    "ScheduledEnqueueTimeUtc",
    "SequenceNumber",
    "EnqueuedSequenceNumber",
    "EnqueuedTimeUtc",
    "ExpiresAtUtc",
    "DeliveryCount",
    "DeadLetterSource",
    "LockToken",
    "LockedUntilUtc",
    "Size",
    "State",
)

# System properties a rule action may change; the others are the broker's (sequence number, ...).
SETTABLE_SYSTEM_PROPERTIES = frozenset(
    {
        "MessageId",
        "CorrelationId",
        "To",
        "ReplyTo",
        "Label",
        "Subject",
        "SessionId",
        "ReplyToSessionId",
        "ContentType",
        "PartitionKey",
        "TimeToLive",
        "ScheduledEnqueueTimeUtc",
    }
)


_CANONICAL = {name.lower(): name for name in SYSTEM_PROPERTIES}
# Both spellings denote the same property, whichever one the broker filled in.
_ALIASES = {"label": ("label", "subject"), "subject": ("subject", "label")}


def canonical_system_property(name: str) -> str | None:
    """Return the canonical spelling of a system property name, or None if there is none.

    Args:
        name: The name as written, in any case.

    Returns:
        The name as listed in `SYSTEM_PROPERTIES`, or None for an unknown name.
    """
    return _CANONICAL.get(name.lower())


@dataclass(frozen=True)
class MessageView:
    """What a filter sees of a message.

    Attributes:
        system: System properties keyed by the names in `SYSTEM_PROPERTIES` (any case); a property
            that is not set is either absent or None.
        application: The message's application properties, by their original names.
    """

    system: Mapping[str, Any] = field(default_factory=dict)
    application: Mapping[str, Any] = field(default_factory=dict)

    @cached_property
    def _system_folded(self) -> dict[str, Any]:
        return {key.lower(): value for key, value in self.system.items()}

    @cached_property
    def _application_folded(self) -> dict[str, Any]:
        folded: dict[str, Any] = {}
        for key, value in self.application.items():
            # The first spelling wins when two keys differ only in case; exact lookups still see both.
            folded.setdefault(key.lower(), value)
        return folded

    def system_value(self, name: str) -> Any:
        """Return a system property's value, or None when it is not set.

        Args:
            name: The property name in any case (`Label` and `Subject` are interchangeable).
        """
        folded = self._system_folded
        for key in _ALIASES.get(name.lower(), (name.lower(),)):
            value = folded.get(key)
            if value is not None:
                return value
        return None

    def has_application(self, name: str) -> bool:
        """Tell whether an application property of that name (any case) is present."""
        return name in self.application or name.lower() in self._application_folded

    def application_value(self, name: str) -> Any:
        """Return an application property's value (exact name first, then any case), or None."""
        if name in self.application:
            return self.application[name]
        return self._application_folded.get(name.lower())
