"""Partition key values: read from documents, parsed from headers, and normalised to one comparable key.

A document's key is the list of values at the container's key paths. A missing value is *undefined*,
which is not null: `[{}]` in the header, a distinct partition from `[null]`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from local_emulators.cosmos.errors import BadRequestError
from local_emulators.cosmos.request_json import parse_json


class _Undefined:
    """The marker for a key path that is absent from the document."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED: Final = _Undefined()
PartitionKeyValue = str | int | float | bool | None | _Undefined


def split_path(path: str) -> list[str]:
    """Split a key path such as `/a/b` or `/"odd/name"/c` into its segments.

    A segment in double or single quotes may hold `/` and the other quote; a backslash escapes the next
    character inside quotes.
    """
    segments: list[str] = []
    text, pos, size = path.strip(), 0, len(path.strip())
    while pos < size:
        char = text[pos]
        if char == "/":
            pos += 1
        elif char in "\"'":
            pos += 1
            chars: list[str] = []
            while pos < size and text[pos] != char:
                if text[pos] == "\\" and pos + 1 < size:
                    pos += 1
                chars.append(text[pos])
                pos += 1
            pos += 1  # the closing quote
            segments.append("".join(chars))
        else:
            end = text.find("/", pos)
            end = size if end < 0 else end
            segments.append(text[pos:end])
            pos = end
    return segments


def _normalise(value: Any) -> PartitionKeyValue:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if value is None or isinstance(value, str | bool | int | float):
        return value
    # Objects and arrays cannot be key values; Cosmos treats them as undefined.
    return UNDEFINED


def extract(document: Mapping[str, Any], paths: Sequence[Sequence[str]]) -> tuple[PartitionKeyValue, ...]:
    """Read the partition key components of a document.

    Args:
        document: The JSON document.
        paths: The container's key paths, each already split into segments.

    Returns:
        One normalised component per path.
    """
    values: list[PartitionKeyValue] = []
    for segments in paths:
        node: Any = document
        for segment in segments:
            if isinstance(node, Mapping) and segment in node:
                node = node[segment]
            else:
                node = UNDEFINED
                break
        values.append(node if node is UNDEFINED else _normalise(node))
    return tuple(values)


def parse_header(raw: str) -> tuple[PartitionKeyValue, ...]:
    """Parse the `x-ms-documentdb-partitionkey` header (`["a"]`, `[null]`, `[{}]` for undefined)."""
    parsed = parse_json(raw, "The partition key header")
    if not isinstance(parsed, list):
        parsed = [parsed]
    if any(isinstance(value, list) or (isinstance(value, dict) and value) for value in parsed):
        raise BadRequestError(f"The partition key header '{raw[:80]}' must list primitive values.")
    return tuple(UNDEFINED if value == {} else _normalise(value) for value in parsed)


def key_string(components: Sequence[PartitionKeyValue]) -> str:
    """A canonical string for a key: equal keys give equal strings, undefined differs from null."""
    return json.dumps([{} if value is UNDEFINED else value for value in components], separators=(",", ":"))


def is_prefix(prefix: Sequence[PartitionKeyValue], full: Sequence[PartitionKeyValue]) -> bool:
    """Whether `prefix` equals the leading components of `full` (hierarchical partition keys)."""
    return len(prefix) <= len(full) and key_string(prefix) == key_string(full[: len(prefix)])
