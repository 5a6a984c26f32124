"""Cosmos SQL values: the `undefined` sentinel, type checks, equality, comparison and the ORDER BY order.

Source for the rules: "Equality and comparison operators" (learn.microsoft.com/azure/cosmos-db/nosql/query/
equality-comparison-operators): equality across types is undefined, objects and arrays compare equal
structurally, and `<`/`>` across types or between objects/arrays is undefined. The cross-type ORDER BY order
(undefined < null < false < true < numbers < strings < arrays < objects) follows azure-cosmos-dotnet-v3 PR #853.
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable
from typing import Any, Final, final


@final
class Undefined:
    """The type of the one `UNDEFINED` value: a missing property, distinct from JSON null (`None`)."""

    _instance: Undefined | None = None

    def __new__(cls) -> Undefined:  # noqa: D102 - a singleton constructor
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Final = Undefined()

_RANK_UNDEFINED, _RANK_NULL, _RANK_BOOL, _RANK_NUMBER, _RANK_STRING, _RANK_ARRAY, _RANK_OBJECT = range(7)


def is_number(value: Any) -> bool:
    """Tell whether a value is a JSON number (Python's bool is an int, and is not a number here)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_primitive(value: Any) -> bool:
    """Tell whether a value is null, a boolean, a number or a string."""
    return value is None or isinstance(value, bool | str) or is_number(value)


def type_rank(value: Any) -> int:
    """Rank of the value's type in the cross-type ORDER BY order."""
    if value is UNDEFINED:
        return _RANK_UNDEFINED
    if value is None:
        return _RANK_NULL
    if isinstance(value, bool):
        return _RANK_BOOL
    if isinstance(value, str):
        return _RANK_STRING
    if isinstance(value, list):
        return _RANK_ARRAY
    if isinstance(value, dict):
        return _RANK_OBJECT
    return _RANK_NUMBER


def deep_equal(left: Any, right: Any) -> bool:
    """Structural equality that keeps types apart (`true` is not `1`, `[1]` equals `[1.0]`)."""
    rank = type_rank(left)
    if rank != type_rank(right):
        return False
    if rank == _RANK_ARRAY:
        return len(left) == len(right) and all(deep_equal(a, b) for a, b in zip(left, right, strict=True))
    if rank == _RANK_OBJECT:
        return left.keys() == right.keys() and all(deep_equal(v, right[k]) for k, v in left.items())
    return bool(left == right)


def sql_equal(left: Any, right: Any) -> Any:
    """The `=` operator: true/false for two values of one type, undefined otherwise."""
    if left is UNDEFINED or right is UNDEFINED or type_rank(left) != type_rank(right):
        return UNDEFINED
    return deep_equal(left, right)


def sql_compare(left: Any, right: Any) -> int | Undefined:
    """Three-way compare for `<`, `<=`, `>`, `>=`: same-type primitives only, otherwise undefined."""
    rank = type_rank(left)
    if rank != type_rank(right) or rank in (_RANK_UNDEFINED, _RANK_ARRAY, _RANK_OBJECT):
        return UNDEFINED
    if rank == _RANK_NULL:
        return 0
    return int((left > right) - (left < right))


def order_compare(left: Any, right: Any) -> int:
    """Total order used by ORDER BY, MIN/MAX and DISTINCT over any two values.

    Arrays compare element by element and objects by their sorted (key, value) pairs. The service
    orders arrays and objects by a hash, so only their place after strings is guaranteed; ours is a
    stable, documented choice.
    """
    left_rank, right_rank = type_rank(left), type_rank(right)
    if left_rank != right_rank:
        return (left_rank > right_rank) - (left_rank < right_rank)
    if left_rank == _RANK_ARRAY:
        for a, b in zip(left, right, strict=False):
            result = order_compare(a, b)
            if result:
                return result
        return (len(left) > len(right)) - (len(left) < len(right))
    if left_rank == _RANK_OBJECT:
        return order_compare(_sorted_pairs(left), _sorted_pairs(right))
    if left_rank in (_RANK_UNDEFINED, _RANK_NULL):
        return 0
    return int((left > right) - (left < right))


def sort_key(value: Any) -> tuple[Any, ...]:
    """A Python sort key that orders values exactly as `order_compare` does, for fast sorting."""
    rank = type_rank(value)
    if rank == _RANK_ARRAY:
        return (rank, tuple(sort_key(item) for item in value))
    if rank == _RANK_OBJECT:
        return (rank, tuple((key, sort_key(value[key])) for key in sorted(value)))
    if rank in (_RANK_UNDEFINED, _RANK_NULL):
        return (rank,)
    return (rank, value)


def _sorted_pairs(obj: dict[str, Any]) -> list[Any]:
    return [[key, obj[key]] for key in sorted(obj)]


def canonical(value: Any) -> Hashable:
    """A hashable key equal for two values exactly when `deep_equal` holds (GROUP BY, DISTINCT)."""
    if value is UNDEFINED:
        return ("undefined",)
    return json.dumps(_normalize(value), sort_keys=True, separators=(",", ":"))


def _normalize(value: Any) -> Any:
    if isinstance(value, list):
        return [_normalize(item) for item in value]
    if isinstance(value, dict):
        return {key: _normalize(item) for key, item in value.items()}
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def number_result(value: float | int) -> Any:
    """Normalize an arithmetic result: non-finite becomes undefined, whole floats become ints.

    JSON has no NaN or infinity, so the service yields undefined for them; whole results such as
    `4 / 2` serialise as `2` there, so they are ints here (within the exactly representable range).
    """
    if isinstance(value, float):
        if not math.isfinite(value):
            return UNDEFINED
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value
