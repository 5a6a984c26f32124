"""Operator semantics over Cosmos values, with undefined for anything the service leaves undefined.

Sources (learn.microsoft.com/azure/cosmos-db/nosql/query/...): `logical-operators` (three-valued AND/OR/NOT
where any non-boolean counts as undefined), `equality-comparison-operators`, `bitwise-operators`,
`ternary-coalesce-operators` (`??` yields the left side unless it is undefined), `keywords` (LIKE wildcards
`%`, `_`, `[a-f]`, `[^a-f]` and `ESCAPE`).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from local_emulators.cosmos.query.values import UNDEFINED, is_number, number_result, sql_compare, sql_equal


def logical_and(left: Any, right: Any) -> Any:
    """Three-valued AND: false wins, then undefined, then true."""
    if left is False or right is False:
        return False
    if left is True and right is True:
        return True
    return UNDEFINED


def logical_or(left: Any, right: Any) -> Any:
    """Three-valued OR: true wins, then undefined, then false."""
    if left is True or right is True:
        return True
    if left is False and right is False:
        return False
    return UNDEFINED


def logical_not(value: Any) -> Any:
    """NOT of a boolean; undefined for anything else."""
    return (not value) if isinstance(value, bool) else UNDEFINED


def _comparison(test: Callable[[int], bool]) -> Callable[[Any, Any], Any]:
    def run(left: Any, right: Any) -> Any:
        result = sql_compare(left, right)
        return UNDEFINED if result is UNDEFINED else test(result)  # type: ignore[arg-type]

    return run


def _not_equal(left: Any, right: Any) -> Any:
    return logical_not(sql_equal(left, right))


def _arithmetic(function: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def run(left: Any, right: Any) -> Any:
        if not (is_number(left) and is_number(right)):
            return UNDEFINED
        try:
            return number_result(function(left, right))
        except (ZeroDivisionError, OverflowError, ValueError):
            return UNDEFINED

    return run


def _bitwise(function: Callable[[int, int], int]) -> Callable[[Any, Any], Any]:
    def run(left: Any, right: Any) -> Any:
        if not (is_number(left) and is_number(right)):
            return UNDEFINED
        if not (float(left).is_integer() and float(right).is_integer()):
            return UNDEFINED
        try:
            return function(int(left), int(right))
        except (ValueError, OverflowError):
            return UNDEFINED

    return run


def shift_count(count: int) -> int:
    """Validate a shift count.

    Raises:
        ValueError: The count is outside 0..63.
    """
    # Operands are 64-bit integers; a shift count outside 0..63 is undefined rather than a huge allocation.
    if not 0 <= count < 64:
        raise ValueError("shift count out of range")
    return count


def to_int64(value: int) -> int:
    """Wrap an integer to the signed 64-bit range."""
    value &= 2**64 - 1
    return value - 2**64 if value >= 2**63 else value


def _concat(left: Any, right: Any) -> Any:
    return left + right if isinstance(left, str) and isinstance(right, str) else UNDEFINED


BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "=": sql_equal,
    "!=": _not_equal,
    "<": _comparison(lambda r: r < 0),
    "<=": _comparison(lambda r: r <= 0),
    ">": _comparison(lambda r: r > 0),
    ">=": _comparison(lambda r: r >= 0),
    "+": _arithmetic(operator.add),
    "-": _arithmetic(operator.sub),
    "*": _arithmetic(operator.mul),
    "/": _arithmetic(operator.truediv),
    "%": _arithmetic(math.fmod),  # JavaScript-style remainder: the sign follows the dividend
    "|": _bitwise(operator.or_),
    "&": _bitwise(operator.and_),
    "^": _bitwise(operator.xor),
    "<<": _bitwise(lambda value, count: to_int64(value << shift_count(count))),
    ">>": _bitwise(lambda value, count: value >> shift_count(count)),
    ">>>": _bitwise(lambda value, count: (value % 2**64) >> shift_count(count)),
    "||": _concat,
    "AND": logical_and,
    "OR": logical_or,
    "??": lambda left, right: right if left is UNDEFINED else left,
}


def _negate(value: Any) -> Any:
    if not is_number(value):
        return UNDEFINED
    return number_result(-value) if math.isfinite(value) else -value


def _complement(value: Any) -> Any:
    return ~int(value) if is_number(value) and float(value).is_integer() else UNDEFINED


UNARY: dict[str, Callable[[Any], Any]] = {
    "-": _negate,
    "+": lambda value: value if is_number(value) else UNDEFINED,
    "~": _complement,
    "NOT": logical_not,
}


@lru_cache(maxsize=512)
def like_pattern(pattern: str, escape: str | None) -> re.Pattern[str]:
    """Translate a LIKE pattern into an anchored regular expression."""
    parts: list[str] = []
    index, size = 0, len(pattern)
    while index < size:
        char = pattern[index]
        if escape is not None and char == escape and index + 1 < size:
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        elif char == "[" and (close := pattern.find("]", index + 2)) > 0:
            body = pattern[index + 1 : close]
            negate = body.startswith("^") and len(body) > 1
            members = body[1:] if negate else body
            parts.append("[" + ("^" if negate else "") + _class_members(members) + "]")
            index = close + 1
            continue
        else:
            parts.append(re.escape(char))
        index += 1
    return re.compile("".join(parts), re.DOTALL)


def _class_members(members: str) -> str:
    # Keep `a-f` ranges, escape everything else so `[%]` or `[[]` mean the literal characters.
    out: list[str] = []
    index = 0
    while index < len(members):
        if index + 2 < len(members) and members[index + 1] == "-":
            out.append(f"{re.escape(members[index])}-{re.escape(members[index + 2])}")
            index += 3
        else:
            out.append(re.escape(members[index]))
            index += 1
    return "".join(out)


def like(value: Any, pattern: Any, escape: Any) -> Any:
    """`value LIKE pattern [ESCAPE escape]`: a boolean for strings, undefined otherwise."""
    if not isinstance(value, str) or not isinstance(pattern, str):
        return UNDEFINED
    if escape is not None and (not isinstance(escape, str) or len(escape) != 1):
        return UNDEFINED
    return like_pattern(pattern, escape).fullmatch(value) is not None
