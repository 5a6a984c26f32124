"""Typed access to the located JSON tree, with errors that name the line: the config loader's vocabulary."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from local_emulators.servicebus.config_source import ConfigError, Member, Node, Position
from local_emulators.servicebus.durations import TIMESPAN_MAX, parse_duration

# Microsoft's schema pattern for entity names.
_NAME = re.compile(r"[A-Za-z0-9]|[A-Za-z0-9][\w\-./]*[A-Za-z0-9]")


class Fields:
    """Reads values out of a located JSON tree for one source, failing with file:line:column."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: Node | Member | Position, reason: str) -> ConfigError:
        """Build the error for a value, a member (its key) or a position."""
        if isinstance(where, Node):
            where = where.position
        elif isinstance(where, Member):
            where = where.key_position
        return ConfigError(reason, self.source, where.line, where.column)

    def members(
        self, node: Node, what: str, allowed: Mapping[str, Any], required: tuple[str, ...] = ()
    ) -> dict[str, Member]:
        """Return an object's members keyed by their canonical names (matched ignoring case).

        Args:
            node: Must be an object.
            what: Describes the object in messages, e.g. "queue 'orders'".
            allowed: Canonical property names (keys) the object may have.
            required: Canonical names that must be present.

        Raises:
            ConfigError: Not an object, an unknown property, a property repeated in another case,
                or a required one missing.
        """
        if not isinstance(node.value, dict):
            raise self.fail(node, f"{what} must be an object, not {node.kind}")
        canonical = {name.lower(): name for name in allowed}
        found: dict[str, Member] = {}
        for member in node.value.values():
            name = canonical.get(member.key.lower())
            if name is None:
                hint = difflib.get_close_matches(member.key, list(allowed), n=1)
                suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
                known = ", ".join(allowed)
                raise self.fail(member, f"unknown property {member.key!r} in {what}{suggestion}; known: {known}")
            if name in found:
                raise self.fail(member, f"property {name!r} appears twice in {what}")
            found[name] = member
        for name in required:
            if name not in found:
                raise self.fail(node, f"{what} lacks the required property {name!r}")
        return found

    def mapping(self, node: Node, what: str) -> dict[str, Member]:
        """Return an object's members by their exact keys (for free-form maps such as properties)."""
        if not isinstance(node.value, dict):
            raise self.fail(node, f"{what} must be an object, not {node.kind}")
        return dict(node.value)

    def array(self, node: Node, what: str) -> list[Node]:
        """Return an array's items."""
        if not isinstance(node.value, list):
            raise self.fail(node, f"{what} must be an array, not {node.kind}")
        return list(node.value)

    def string(self, node: Node, what: str) -> str:
        """Return a string value."""
        if not isinstance(node.value, str):
            raise self.fail(node, f"{what} must be a string, not {node.kind}")
        return node.value

    def name(self, node: Node, what: str) -> str:
        """Return an entity, subscription or rule name, checked against Microsoft's name pattern."""
        value = self.string(node, what)
        if not _NAME.fullmatch(value):
            raise self.fail(
                node,
                f"{what} {value!r} is not a valid name (letters, digits, '_', '-', '.', '/'; "
                "starting and ending with a letter or digit)",
            )
        return value

    def boolean(self, node: Node, what: str) -> bool:
        """Return a true/false value."""
        if not isinstance(node.value, bool):
            raise self.fail(node, f"{what} must be true or false, not {node.kind}")
        return node.value

    def delivery_count(self, node: Node, what: str) -> int:
        """Return a positive whole number."""
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(node, f"{what} must be a whole number, not {node.kind}")
        if value < 1:
            raise self.fail(node, f"{what} must be at least 1, not {value}")
        return value

    def duration(self, node: Node, what: str) -> timedelta:
        """Return a positive ISO 8601 duration."""
        text = self.string(node, f"{what} (an ISO 8601 duration such as PT1M)")
        try:
            value = parse_duration(text)
        except ValueError as error:
            raise self.fail(node, f"{what}: {error}") from None
        if value <= timedelta(0):
            raise self.fail(node, f"{what} must be longer than zero")
        return value

    def ttl(self, node: Node, what: str) -> timedelta | None:
        """Return a time-to-live; TimeSpan.MaxValue (or more) means never expire (None)."""
        value = self.duration(node, what)
        return None if value >= TIMESPAN_MAX - timedelta(seconds=1) else value

    def lock_duration(self, node: Node, what: str) -> timedelta:
        """Return a lock duration of at most five minutes."""
        value = self.duration(node, what)
        if value > timedelta(minutes=5):
            raise self.fail(node, f"{what} must be at most PT5M (five minutes)")
        return value

    def optional_entity(self, node: Node, what: str) -> str | None:
        """Return a forwarding target; an empty string means none."""
        value = self.string(node, what)
        return self.name(node, what) if value else None

    def scalar(self, node: Node, what: str) -> str | int | float | bool:
        """Return a string, number or boolean."""
        if node.value is None or isinstance(node.value, dict | list):
            raise self.fail(node, f"{what} must be a string, number or boolean, not {node.kind}")
        value: str | int | float | bool = node.value
        return value
