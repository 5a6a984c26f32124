"""Mathematical functions. Source: learn.microsoft.com/azure/cosmos-db/nosql/query/mathematical-functions.

Non-numeric arguments, domain errors (`SQRT(-1)`, `LOG(0)`) and non-finite results yield undefined.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from local_emulators.cosmos.query.functions.base import FunctionSpec, as_int, spec
from local_emulators.cosmos.query.operators import shift_count, to_int64
from local_emulators.cosmos.query.values import UNDEFINED, is_number, number_result


def _numeric(function: Callable[..., float | int]) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        if not all(is_number(arg) for arg in args):
            return UNDEFINED
        try:
            return number_result(function(*args))
        except (ValueError, ZeroDivisionError, OverflowError):
            return UNDEFINED

    return run


def _integral(function: Callable[..., int]) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        values = [as_int(arg) for arg in args]
        if any(value is None for value in values):
            return UNDEFINED
        try:
            return function(*values)
        except (ValueError, ZeroDivisionError):
            return UNDEFINED

    return run


def _round(value: float) -> float:
    # Cosmos rounds half away from zero (ROUND(-6.5) = -7), unlike Python's banker's rounding.
    return math.copysign(math.floor(abs(value) + 0.5), value)


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def _log(value: float, base: float | None = None) -> float:
    return math.log(value) if base is None else math.log(value, base)


def _number_bin(value: float, size: float = 1) -> float:
    return math.floor(value / size) * size


def _truncating_div(left: int, right: int) -> int:
    quotient = abs(left) // abs(right)
    return quotient if (left >= 0) == (right >= 0) else -quotient


def _truncating_mod(left: int, right: int) -> int:
    return left - right * _truncating_div(left, right)


FUNCTIONS: tuple[FunctionSpec, ...] = (
    spec("ABS", 1, 1, _numeric(abs)),
    spec("CEILING", 1, 1, _numeric(math.ceil)),
    spec("FLOOR", 1, 1, _numeric(math.floor)),
    spec("ROUND", 1, 1, _numeric(_round)),
    spec("TRUNC", 1, 1, _numeric(math.trunc)),
    spec("SQRT", 1, 1, _numeric(math.sqrt)),
    spec("SQUARE", 1, 1, _numeric(lambda x: x * x)),
    spec("POWER", 2, 2, _numeric(lambda x, y: math.pow(x, y))),
    spec("EXP", 1, 1, _numeric(math.exp)),
    spec("LOG", 1, 2, _numeric(_log)),
    spec("LOG10", 1, 1, _numeric(math.log10)),
    spec("SIGN", 1, 1, _numeric(_sign)),
    spec("PI", 0, 0, lambda: math.pi),
    spec("SIN", 1, 1, _numeric(math.sin)),
    spec("COS", 1, 1, _numeric(math.cos)),
    spec("TAN", 1, 1, _numeric(math.tan)),
    spec("COT", 1, 1, _numeric(lambda x: 1 / math.tan(x))),
    spec("ASIN", 1, 1, _numeric(math.asin)),
    spec("ACOS", 1, 1, _numeric(math.acos)),
    spec("ATAN", 1, 1, _numeric(math.atan)),
    spec("ATN2", 2, 2, _numeric(math.atan2)),
    spec("DEGREES", 1, 1, _numeric(math.degrees)),
    spec("RADIANS", 1, 1, _numeric(math.radians)),
    spec("RAND", 0, 0, random.random),
    spec("NUMBERBIN", 1, 2, _numeric(_number_bin)),
    spec("INTADD", 2, 2, _integral(lambda a, b: a + b)),
    spec("INTSUB", 2, 2, _integral(lambda a, b: a - b)),
    spec("INTMUL", 2, 2, _integral(lambda a, b: a * b)),
    spec("INTDIV", 2, 2, _integral(_truncating_div)),
    spec("INTMOD", 2, 2, _integral(_truncating_mod)),
    spec("INTBITAND", 2, 2, _integral(lambda a, b: a & b)),
    spec("INTBITOR", 2, 2, _integral(lambda a, b: a | b)),
    spec("INTBITXOR", 2, 2, _integral(lambda a, b: a ^ b)),
    spec("INTBITNOT", 1, 1, _integral(lambda a: ~a)),
    spec("INTBITLEFTSHIFT", 2, 2, _integral(lambda a, b: to_int64(a << shift_count(b)))),
    spec("INTBITRIGHTSHIFT", 2, 2, _integral(lambda a, b: a >> shift_count(b))),
)
