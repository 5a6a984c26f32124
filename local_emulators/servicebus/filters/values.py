"""Value semantics of SQL filters: comparisons and arithmetic with NULL/unknown propagation.

Service Bus follows C# operator binding: numbers compare and combine across int and float, strings
compare ordinally (case-sensitive) and concatenate with `+`, booleans only test equality. Operands
of types that do not combine yield UNKNOWN (None) rather than an error, so the rule does not match.
"""

from __future__ import annotations

import math
import operator
import re
import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import Any

_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def normalize(value: Any) -> Any:
    """Bring a property value into the filter's value space (a GUID compares as its string)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def is_number(value: Any) -> bool:
    """Tell whether a value is an int or float (a bool is not a number here)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def compare(op: str, left: Any, right: Any) -> bool | None:
    """Compare two values; None when either is NULL/unknown or the types do not compare."""
    if left is None or right is None:
        return None
    left, right = normalize(left), normalize(right)
    if is_number(left) and is_number(right):
        return _ORDERINGS[op](left, right)
    if isinstance(left, bool) or isinstance(right, bool):
        if isinstance(left, bool) and isinstance(right, bool) and op in ("=", "<>", "!="):
            return _ORDERINGS[op](left, right)
        return None
    if type(left) is not type(right) and not (isinstance(left, str) and isinstance(right, str)):
        return None
    try:
        return _ORDERINGS[op](left, right)
    except TypeError:
        # For example a naive and an aware datetime.
        return None


def arithmetic(op: str, left: Any, right: Any) -> Any:
    """Apply `+ - * / %`; None for NULL operands, types that do not combine, or integer division by zero."""
    if left is None or right is None:
        return None
    left, right = normalize(left), normalize(right)
    if op == "+" and isinstance(left, str) and isinstance(right, str):
        return left + right
    if not (is_number(left) and is_number(right)):
        return None
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if isinstance(left, int) and isinstance(right, int):
        return _integer_division(op, left, right)
    return _float_division(op, float(left), float(right))


def _integer_division(op: str, left: int, right: int) -> int | None:
    if right == 0:
        return None
    # C# truncates toward zero, and the remainder takes the dividend's sign.
    quotient = abs(left) // abs(right)
    if op == "/":
        return quotient if (left >= 0) == (right >= 0) else -quotient
    remainder = abs(left) % abs(right)
    return remainder if left >= 0 else -remainder


def _float_division(op: str, left: float, right: float) -> float:
    if op == "%":
        return math.fmod(left, right) if right != 0 else math.nan
    if right != 0:
        return left / right
    # IEEE 754, as System.Double does it.
    if left == 0 or math.isnan(left):
        return math.nan
    return math.copysign(math.inf, left) * math.copysign(1.0, right)


def negate(value: Any) -> Any:
    """Unary minus; None unless the operand is a number."""
    return -value if is_number(value) else None


def like(value: Any, pattern: Any, escape: Any = None) -> bool | None:
    """Match `value LIKE pattern [ESCAPE escape]`; None if an operand is NULL or not a string."""
    if not isinstance(value, str) or not isinstance(pattern, str):
        return None
    if escape is not None and (not isinstance(escape, str) or len(escape) != 1):
        return None
    regex = like_regex(pattern, escape)
    if regex is None:
        return None
    return regex.fullmatch(value) is not None


@lru_cache(maxsize=512)
def like_regex(pattern: str, escape: str | None = None) -> re.Pattern[str] | None:
    """Translate a LIKE pattern to a regular expression; None if it ends with a lone escape character."""
    parts: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if escape is not None and char == escape:
            escaped = next(chars, None)
            if escaped is None:
                return None
            parts.append(re.escape(escaped))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)
