"""Array functions. Source: learn.microsoft.com/azure/cosmos-db/nosql/query/array-functions."""

from __future__ import annotations

from typing import Any

from local_emulators.cosmos.query.functions.base import FunctionSpec, as_int, flag, spec
from local_emulators.cosmos.query.values import UNDEFINED, canonical, deep_equal


def _matches(element: Any, value: Any, partial: bool) -> bool:
    # A partial match compares an object search value by its own properties only (a subset match).
    if partial and isinstance(value, dict) and isinstance(element, dict):
        return all(key in element and deep_equal(element[key], item) for key, item in value.items())
    return deep_equal(element, value)


def _array_contains(array: Any, value: Any, partial: Any = UNDEFINED) -> Any:
    is_partial = flag(partial)
    if not isinstance(array, list) or is_partial is None:
        return UNDEFINED
    return any(_matches(element, value, is_partial) for element in array)


def _contains_any(array: Any, *values: Any) -> Any:
    if not isinstance(array, list):
        return UNDEFINED
    return any(deep_equal(element, value) for value in values for element in array)


def _contains_all(array: Any, *values: Any) -> Any:
    if not isinstance(array, list):
        return UNDEFINED
    return all(any(deep_equal(element, value) for element in array) for value in values)


def _array_length(array: Any) -> Any:
    return len(array) if isinstance(array, list) else UNDEFINED


def _array_slice(array: Any, start: Any, length: Any = UNDEFINED) -> Any:
    begin = as_int(start)
    count = None if length is UNDEFINED else as_int(length)
    if not isinstance(array, list) or begin is None or (length is not UNDEFINED and count is None):
        return UNDEFINED
    if begin < 0:
        begin = max(len(array) + begin, 0)
    if count is None:
        return array[begin:]
    return array[begin : begin + max(count, 0)]


def _array_concat(*arrays: Any) -> Any:
    if not all(isinstance(array, list) for array in arrays):
        return UNDEFINED
    return [item for array in arrays for item in array]


def _distinct(items: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    result = []
    for item in items:
        key = canonical(item)
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


def _set_intersect(left: Any, right: Any) -> Any:
    if not isinstance(left, list) or not isinstance(right, list):
        return UNDEFINED
    keys = {canonical(item) for item in right}
    return _distinct([item for item in left if canonical(item) in keys])


def _set_union(left: Any, right: Any) -> Any:
    if not isinstance(left, list) or not isinstance(right, list):
        return UNDEFINED
    return _distinct(left + right)


def _object_to_array(obj: Any, key_name: Any = "k", value_name: Any = "v") -> Any:
    if not isinstance(obj, dict) or not isinstance(key_name, str) or not isinstance(value_name, str):
        return UNDEFINED
    return [{key_name: key, value_name: value} for key, value in obj.items()]


FUNCTIONS: tuple[FunctionSpec, ...] = (
    spec("ARRAY_CONTAINS", 2, 3, _array_contains),
    spec("ARRAY_CONTAINS_ANY", 2, None, _contains_any),
    spec("ARRAY_CONTAINS_ALL", 2, None, _contains_all),
    spec("ARRAY_LENGTH", 1, 1, _array_length),
    spec("ARRAY_SLICE", 2, 3, _array_slice),
    spec("ARRAY_CONCAT", 2, None, _array_concat),
    spec("SETINTERSECT", 2, 2, _set_intersect),
    spec("SETUNION", 2, 2, _set_union),
    spec("OBJECTTOARRAY", 1, 3, _object_to_array),
)
