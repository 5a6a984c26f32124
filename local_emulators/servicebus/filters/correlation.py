"""Correlation filters: equality on a fixed set of system properties and on application properties."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from local_emulators.servicebus.filters.message_view import MessageView
from local_emulators.servicebus.filters.values import compare, normalize

# Attribute → system property it tests.
_SYSTEM_FIELDS = (
    ("correlation_id", "CorrelationId"),
    ("message_id", "MessageId"),
    ("to", "To"),
    ("reply_to", "ReplyTo"),
    ("label", "Label"),
    ("session_id", "SessionId"),
    ("reply_to_session_id", "ReplyToSessionId"),
    ("content_type", "ContentType"),
)


@dataclass(frozen=True)
class CorrelationFilter:
    """Matches when every condition that is set holds; a field left as None tests nothing.

    String values compare exactly (case-sensitive), application property names exactly, numbers by
    value across int and float; a bool equals only a bool.

    Attributes:
        correlation_id: Expected CorrelationId.
        message_id: Expected MessageId.
        to: Expected To.
        reply_to: Expected ReplyTo.
        label: Expected Label (the newer SDKs call it Subject).
        session_id: Expected SessionId.
        reply_to_session_id: Expected ReplyToSessionId.
        content_type: Expected ContentType.
        properties: Expected application property values by name.
    """

    correlation_id: str | None = None
    message_id: str | None = None
    to: str | None = None
    reply_to: str | None = None
    label: str | None = None
    session_id: str | None = None
    reply_to_session_id: str | None = None
    content_type: str | None = None
    properties: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        # Freeze the caller's dict so a later change to it cannot alter the rule.
        object.__setattr__(self, "properties", MappingProxyType(dict(self.properties)))

    @property
    def subject(self) -> str | None:
        """Alias of `label`."""
        return self.label

    def is_empty(self) -> bool:
        """Tell whether no condition is set (Service Bus rejects such a filter)."""
        return not self.properties and all(getattr(self, attr) is None for attr, _ in _SYSTEM_FIELDS)

    def matches(self, view: MessageView) -> bool:
        """Tell whether the message meets every condition that is set."""
        for attr, system_name in _SYSTEM_FIELDS:
            expected = getattr(self, attr)
            if expected is not None and normalize(view.system_value(system_name)) != expected:
                return False
        for name, expected in self.properties.items():
            if name not in view.application:
                return False
            actual = view.application[name]
            if expected is None:
                if actual is not None:
                    return False
            elif compare("=", actual, expected) is not True:
                return False
        return True

    def __hash__(self) -> int:
        fields = tuple(getattr(self, attr) for attr, _ in _SYSTEM_FIELDS)
        return hash((fields, tuple(sorted(self.properties.items(), key=lambda item: item[0]))))
