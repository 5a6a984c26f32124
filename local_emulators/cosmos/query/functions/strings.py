"""String functions. Source: learn.microsoft.com/azure/cosmos-db/nosql/query/string-functions.

Every function yields undefined when an argument has the wrong type, as the service does.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Any

import regex

from local_emulators.cosmos.query.errors import QueryRuntimeError
from local_emulators.cosmos.query.functions.base import FunctionSpec, as_int, flag, spec
from local_emulators.cosmos.query.values import UNDEFINED, is_number, number_result

REGEX_TIMEOUT_SECONDS = 1.0  # per RegexMatch call: a pathological pattern fails the query instead of hanging it
MAX_REPLICATE_LENGTH = 10_000  # REPLICATE yields undefined beyond this result length (documented limit)


def _strings(*values: Any) -> bool:
    return all(isinstance(value, str) for value in values)


def _concat(*values: Any) -> Any:
    return "".join(values) if _strings(*values) else UNDEFINED


def _string_test(test: str) -> Any:
    def run(text: Any, part: Any, ignore_case: Any = UNDEFINED) -> Any:
        fold = flag(ignore_case)
        if not _strings(text, part) or fold is None:
            return UNDEFINED
        if fold:
            text, part = text.casefold(), part.casefold()
        if test == "contains":
            return part in text
        return text.startswith(part) if test == "starts" else text.endswith(part)

    return run


def _string_equals(left: Any, right: Any, ignore_case: Any = UNDEFINED) -> Any:
    fold = flag(ignore_case)
    if not _strings(left, right) or fold is None:
        return UNDEFINED
    return left.casefold() == right.casefold() if fold else left == right


def _substring(text: Any, start: Any, length: Any) -> Any:
    begin, count = as_int(start), as_int(length)
    if not isinstance(text, str) or begin is None or count is None:
        return UNDEFINED
    begin = max(begin, 0)
    return text[begin : begin + max(count, 0)]


def _index_of(text: Any, part: Any, start: Any = 0) -> Any:
    begin = as_int(start)
    if not _strings(text, part) or begin is None:
        return UNDEFINED
    return text.find(part, max(begin, 0))


def _left(text: Any, count: Any) -> Any:
    n = as_int(count)
    return text[: max(n, 0)] if isinstance(text, str) and n is not None else UNDEFINED


def _right(text: Any, count: Any) -> Any:
    n = as_int(count)
    if not isinstance(text, str) or n is None:
        return UNDEFINED
    return text[len(text) - min(max(n, 0), len(text)) :]


def _replicate(text: Any, count: Any) -> Any:
    n = as_int(count)
    if not isinstance(text, str) or n is None or n < 0 or len(text) * n > MAX_REPLICATE_LENGTH:
        return UNDEFINED
    return text * n


def _replace(text: Any, find: Any, replacement: Any) -> Any:
    return text.replace(find, replacement) if _strings(text, find, replacement) and find else UNDEFINED


def _trim(method: str) -> Any:
    # The optional second argument is a set of characters to strip instead of whitespace.
    def run(text: Any, characters: Any = UNDEFINED) -> Any:
        if not isinstance(text, str) or not (characters is UNDEFINED or isinstance(characters, str)):
            return UNDEFINED
        return getattr(text, method)(None if characters is UNDEFINED else characters)

    return run


def _unary(transform: Any) -> Any:
    return lambda text: transform(text) if isinstance(text, str) else UNDEFINED


def to_string(value: Any) -> Any:
    """ToString: strings as they are, everything else as compact JSON."""
    if value is UNDEFINED:
        return UNDEFINED
    if isinstance(value, str):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _parse_json_as(kind: type | None, literal: str | None = None) -> Any:
    def run(text: Any) -> Any:
        if not isinstance(text, str):
            return UNDEFINED
        stripped = text.strip()
        if literal is not None:
            return None if stripped == literal else UNDEFINED
        try:
            value = json.loads(stripped)
        except ValueError:
            return UNDEFINED
        if kind is float:
            return number_result(value) if is_number(value) else UNDEFINED
        return value if kind is not None and isinstance(value, kind) else UNDEFINED

    return run


def _string_to_boolean(text: Any) -> Any:
    if not isinstance(text, str):
        return UNDEFINED
    return {"true": True, "false": False}.get(text.strip(), UNDEFINED)


@lru_cache(maxsize=256)
def _regex(pattern: str, modifiers: str) -> regex.Pattern[str] | None:
    flags = 0
    for char in modifiers:
        extra = {"i": regex.IGNORECASE, "m": regex.MULTILINE, "s": regex.DOTALL, "x": regex.VERBOSE}.get(char)
        if extra is None:
            return None
        flags |= extra
    try:
        return regex.compile(pattern, flags)
    except (regex.error, RecursionError, OverflowError, ValueError):
        return None


def _regex_match(text: Any, pattern: Any, modifiers: Any = "") -> Any:
    if not _strings(text, pattern, modifiers):
        return UNDEFINED
    compiled = _regex(pattern, modifiers)
    if compiled is None:
        return UNDEFINED
    try:
        # `concurrent` releases the GIL while matching; the timeout bounds catastrophic backtracking.
        return compiled.search(text, concurrent=True, timeout=REGEX_TIMEOUT_SECONDS) is not None
    except TimeoutError as exc:
        raise QueryRuntimeError(
            f"RegexMatch with pattern {pattern[:60]!r} took longer than {REGEX_TIMEOUT_SECONDS} s on one value"
        ) from exc


def _string_join(items: Any, separator: Any) -> Any:
    if not isinstance(items, list) or not _strings(separator, *items):
        return UNDEFINED
    return separator.join(items)


def _string_split(text: Any, separator: Any) -> Any:
    return text.split(separator) if _strings(text, separator) and separator else UNDEFINED


FUNCTIONS: tuple[FunctionSpec, ...] = (
    spec("CONCAT", 2, None, _concat),
    spec("CONTAINS", 2, 3, _string_test("contains")),
    spec("STARTSWITH", 2, 3, _string_test("starts")),
    spec("ENDSWITH", 2, 3, _string_test("ends")),
    spec("STRINGEQUALS", 2, 3, _string_equals),
    spec("LOWER", 1, 1, _unary(str.lower)),
    spec("UPPER", 1, 1, _unary(str.upper)),
    spec("LENGTH", 1, 1, _unary(len)),
    spec("REVERSE", 1, 1, _unary(lambda s: s[::-1])),
    spec("TRIM", 1, 2, _trim("strip")),
    spec("LTRIM", 1, 2, _trim("lstrip")),
    spec("RTRIM", 1, 2, _trim("rstrip")),
    spec("SUBSTRING", 3, 3, _substring),
    spec("INDEX_OF", 2, 3, _index_of),
    spec("LEFT", 2, 2, _left),
    spec("RIGHT", 2, 2, _right),
    spec("REPLICATE", 2, 2, _replicate),
    spec("REPLACE", 3, 3, _replace),
    spec("TOSTRING", 1, 1, to_string),
    spec("STRINGTONUMBER", 1, 1, _parse_json_as(float)),
    spec("STRINGTOBOOLEAN", 1, 1, _string_to_boolean),
    spec("STRINGTONULL", 1, 1, _parse_json_as(None, literal="null")),
    spec("STRINGTOARRAY", 1, 1, _parse_json_as(list)),
    spec("STRINGTOOBJECT", 1, 1, _parse_json_as(dict)),
    spec("REGEXMATCH", 2, 3, _regex_match),
    spec("STRINGJOIN", 2, 2, _string_join),
    spec("STRINGSPLIT", 2, 2, _string_split),
)
