"""`MessageRegistry`: from (type, version) on the wire to a validated `Message`, upcasting old versions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from pydantic import ValidationError

from switchboard.errors import (
    AgentDefinitionError,
    InvalidMessagePayloadError,
    UnknownMessageTypeError,
    UnsupportedMessageVersionError,
)
from switchboard.messages.base import Message
from switchboard.messages.envelope import Envelope
from switchboard.messages.errors import summarize_validation_error
from switchboard.messages.frozen import thaw

M = TypeVar("M", bound=type[Message])
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class MessageRegistry:
    """Knows every message type a deployment handles, and how to read their older versions.

    Each type name maps to one class, its current version. A payload written at an older version is brought up to
    date by a chain of upcasters, one per version step (v1→v2, v2→v3, ...), before it is validated.

    Example:
        >>> registry = MessageRegistry([TaskSubmitted])
        >>> @registry.upcaster("task_submitted", from_version=1)
        ... def add_priority(payload: dict) -> dict:
        ...     return {**payload, "priority": 0}
    """

    def __init__(self, messages: Iterable[type[Message]] = ()) -> None:
        self._classes: dict[str, type[Message]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        for cls in messages:
            self.register(cls)

    def register(self, cls: M) -> M:
        """Add a message class; usable as a decorator. Registering the same class twice is harmless.

        Raises:
            AgentDefinitionError: Another class already uses this type name.
        """
        existing = self._classes.get(cls.message_type)
        if existing is not None and existing is not cls:
            raise AgentDefinitionError(
                f"message type {cls.message_type!r} is declared by both "
                f"{existing.__module__}.{existing.__qualname__} and {cls.__module__}.{cls.__qualname__}"
            )
        self._classes[cls.message_type] = cls
        return cls

    def upcaster(self, type_name: str, *, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator registering a function that turns a `from_version` payload into a `from_version + 1` one."""

        def decorate(fn: Upcaster) -> Upcaster:
            self.add_upcaster(type_name, from_version=from_version, upcaster=fn)
            return fn

        return decorate

    def add_upcaster(self, type_name: str, *, from_version: int, upcaster: Upcaster) -> None:
        """Register `upcaster` for the step from `from_version` to `from_version + 1` of `type_name`."""
        key = (type_name, from_version)
        if key in self._upcasters:
            raise AgentDefinitionError(f"an upcaster for {type_name!r} v{from_version} is already registered")
        self._upcasters[key] = upcaster

    def __contains__(self, item: object) -> bool:
        return item in self._classes or item in self._classes.values()

    @property
    def types(self) -> Mapping[str, type[Message]]:
        """Every registered type name and its class."""
        return dict(self._classes)

    def resolve(self, type_name: str) -> type[Message]:
        """Return the class for a type name.

        Raises:
            UnknownMessageTypeError: No class has that name.
        """
        try:
            return self._classes[type_name]
        except KeyError:
            # A name from the wire is quoted in part only: a dead-letter reason must not carry a payload back.
            shown = repr(type_name[:80]) + ("…" if len(type_name) > 80 else "")
            raise UnknownMessageTypeError(f"unknown message type {shown}") from None

    def decode(self, envelope: Envelope) -> Message:
        """Validate an envelope's payload into its message class, upcasting older versions first.

        Raises:
            UnknownMessageTypeError: The type is not registered.
            UnsupportedMessageVersionError: The version is newer than the class, or an upcaster step is missing.
            InvalidMessagePayloadError: The (upcast) payload does not validate; the reason names the fields.
        """
        cls = self.resolve(envelope.type)
        payload: Mapping[str, Any] = envelope.payload
        if envelope.version != cls.message_version:
            payload = self._upcast(envelope.type, envelope.version, cls.message_version, thaw(payload))
        try:
            return cls.model_validate(payload)
        except ValidationError as exc:
            raise InvalidMessagePayloadError(
                f"invalid {envelope.type} v{envelope.version} payload: {summarize_validation_error(exc)}"
            ) from exc

    def _upcast(self, type_name: str, version: int, current: int, payload: dict[str, Any]) -> dict[str, Any]:
        if version > current:
            raise UnsupportedMessageVersionError(f"{type_name} v{version} is newer than this deployment's v{current}")
        for step in range(version, current):
            upcaster = self._upcasters.get((type_name, step))
            try:
                # Without a registered upcaster, the class's own (`Message.upcast`) may know the step.
                upcast = upcaster(payload) if upcaster else self._classes[type_name].upcast(step, payload)
            except Exception as exc:
                raise InvalidMessagePayloadError(f"upcasting {type_name} v{step} to v{step + 1} failed: {exc}") from exc
            if upcast is None:
                raise UnsupportedMessageVersionError(
                    f"{type_name} v{version} cannot be read: no upcaster from v{step} to v{step + 1}"
                )
            payload = upcast
        return payload
