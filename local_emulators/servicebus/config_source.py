"""Read JSON with comments and trailing commas into a tree that remembers where each value was written.

Microsoft's emulator ships its `Config.json` with `//` comments, and people add trailing commas, so the
standard `json` module is not enough; and a configuration error must name the line it is on.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from typing import Any

from local_emulators.servicebus.errors import ServiceBusEmulatorError

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


class ConfigError(ServiceBusEmulatorError):
    """The entity configuration is missing or invalid.

    Attributes:
        source: The file name (or a label for text that came from elsewhere).
        line: One-based line of the problem, when known.
        column: One-based column of the problem, when known.
        reason: What is wrong, without the location.
    """

    def __init__(self, reason: str, source: str, line: int | None = None, column: int | None = None) -> None:
        self.reason = reason
        self.source = source
        self.line = line
        self.column = column
        where = source if line is None else f"{source}:{line}" if column is None else f"{source}:{line}:{column}"
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class Position:
    """One-based line and column of a value's first character."""

    line: int
    column: int


@dataclass(frozen=True)
class Member:
    """One `"key": value` pair of an object, with the key's position."""

    key: str
    key_position: Position
    node: Node


@dataclass(frozen=True)
class Node:
    """A JSON value and where it starts.

    Attributes:
        value: A str, int, float, bool or None; a list of Node for an array; a dict of key → Member
            for an object.
        position: Where the value starts.
        raw: The source text of a string value between its quotes (to map offsets inside it).
    """

    value: Any
    position: Position
    raw: str | None = None

    @property
    def kind(self) -> str:
        """A JSON type name for messages: object, array, string, number, boolean or null."""
        if isinstance(self.value, dict):
            return "object"
        if isinstance(self.value, list):
            return "array"
        if isinstance(self.value, str):
            return "string"
        if isinstance(self.value, bool):
            return "boolean"
        if self.value is None:
            return "null"
        return "number"


def parse_jsonc(text: str, source: str) -> Node:
    """Parse JSON that may contain comments and trailing commas.

    Args:
        text: The document.
        source: A name for the document in error messages.

    Returns:
        The root node.

    Raises:
        ConfigError: On a syntax error or a repeated key, naming the line and column.
    """
    reader = _Reader(text.removeprefix("\ufeff"), source)
    root = reader.value()
    reader.skip_blank()
    if reader.pos < len(reader.text):
        raise reader.fail("unexpected text after the end of the document")
    return root


class _Reader:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.pos = 0
        self.line_starts = [0] + [match.end() for match in re.finditer(r"\n", text)]

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self.line_starts, offset)
        return Position(line, offset - self.line_starts[line - 1] + 1)

    def fail(self, reason: str, offset: int | None = None) -> ConfigError:
        offset = self.pos if offset is None else offset
        if offset >= len(self.text):
            # Point at the last written character: the blank tail of a cut-off file says nothing.
            offset = max(len(self.text.rstrip()) - 1, 0)
            if not reason.startswith("unexpected end of file"):
                reason = f"unexpected end of file: {reason}"
        where = self.position(offset)
        return ConfigError(reason, self.source, where.line, where.column)

    def skip_blank(self) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t\r\n":
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.fail("unterminated /* comment")
                self.pos = end + 2
            else:
                return

    def value(self) -> Node:
        self.skip_blank()
        if self.pos >= len(self.text):
            raise self.fail("unexpected end of file, expected a value")
        start = self.pos
        char = self.text[start]
        if char == "{":
            return self.object()
        if char == "[":
            return self.array()
        if char == '"':
            value, raw = self.string()
            return Node(value, self.position(start), raw)
        match = _NUMBER.match(self.text, start)
        if match:
            self.pos = match.end()
            literal = match.group()
            number = float(literal) if any(c in literal for c in ".eE") else int(literal)
            return Node(number, self.position(start))
        for word, constant in _LITERALS.items():
            if self.text.startswith(word, start):
                self.pos = start + len(word)
                return Node(constant, self.position(start))
        raise self.fail(f"unexpected character {char!r}, expected a value")

    def string(self) -> tuple[str, str]:
        start = self.pos
        try:
            value, end = json.decoder.scanstring(self.text, start + 1, True)  # type: ignore[attr-defined]
        except json.JSONDecodeError as error:
            raise self.fail(f"bad string: {error.msg}", error.pos) from None
        self.pos = end
        return str(value), self.text[start + 1 : end - 1]

    def object(self) -> Node:
        start = self.pos
        self.pos += 1
        members: dict[str, Member] = {}
        while True:
            self.skip_blank()
            if self.text.startswith("}", self.pos):
                self.pos += 1
                return Node(members, self.position(start))
            if not self.text.startswith('"', self.pos):
                raise self.fail("expected a quoted property name or '}'")
            key_offset = self.pos
            key, _ = self.string()
            if key in members:
                raise self.fail(f"property {key!r} appears twice in the same object", key_offset)
            self.skip_blank()
            if not self.text.startswith(":", self.pos):
                raise self.fail(f"expected ':' after property name {key!r}")
            self.pos += 1
            members[key] = Member(key, self.position(key_offset), self.value())
            if not self.separator("}"):
                raise self.fail("expected ',' or '}' (is a comma missing?)")

    def array(self) -> Node:
        start = self.pos
        self.pos += 1
        items: list[Node] = []
        while True:
            self.skip_blank()
            if self.text.startswith("]", self.pos):
                self.pos += 1
                return Node(items, self.position(start))
            items.append(self.value())
            if not self.separator("]"):
                raise self.fail("expected ',' or ']' (is a comma missing?)")

    def separator(self, closing: str) -> bool:
        # A comma before the closing bracket is allowed: the loop then meets the bracket.
        self.skip_blank()
        if self.text.startswith(",", self.pos):
            self.pos += 1
            return True
        return self.text.startswith(closing, self.pos)
