"""Type-checking functions (IS_DEFINED, IS_NUMBER, ...) and the conditional IIF/CHOOSE.

Source: learn.microsoft.com/azure/cosmos-db/nosql/query/type-checking-functions and iif.
"""

from __future__ import annotations

import math
from typing import Any

from local_emulators.cosmos.query.functions.base import FunctionSpec, as_int, spec
from local_emulators.cosmos.query.values import UNDEFINED, is_number, is_primitive


def _is_finite(value: Any) -> bool:
    return is_number(value) and math.isfinite(value)


def _is_integer(value: Any) -> bool:
    return _is_finite(value) and float(value).is_integer() and -(2**63) <= value < 2**63


def _iif(condition: Any, when_true: Any, otherwise: Any) -> Any:
    # Only a boolean true picks the first branch; anything else, undefined included, picks the second.
    return when_true if condition is True else otherwise


def _choose(index: Any, *options: Any) -> Any:
    position = as_int(index)
    if position is None or not 1 <= position <= len(options):
        return UNDEFINED
    return options[position - 1]


FUNCTIONS: tuple[FunctionSpec, ...] = (
    spec("IS_DEFINED", 1, 1, lambda v: v is not UNDEFINED, takes_undefined=True),
    spec("IS_NULL", 1, 1, lambda v: v is None, takes_undefined=True),
    spec("IS_STRING", 1, 1, lambda v: isinstance(v, str), takes_undefined=True),
    spec("IS_NUMBER", 1, 1, is_number, takes_undefined=True),
    spec("IS_BOOL", 1, 1, lambda v: isinstance(v, bool), takes_undefined=True),
    spec("IS_ARRAY", 1, 1, lambda v: isinstance(v, list), takes_undefined=True),
    spec("IS_OBJECT", 1, 1, lambda v: isinstance(v, dict), takes_undefined=True),
    spec("IS_PRIMITIVE", 1, 1, is_primitive, takes_undefined=True),
    spec("IS_FINITE_NUMBER", 1, 1, _is_finite, takes_undefined=True),
    spec("IS_INTEGER", 1, 1, _is_integer, takes_undefined=True),
    spec("IIF", 3, 3, _iif, takes_undefined=True),
    spec("CHOOSE", 2, None, _choose),
)
