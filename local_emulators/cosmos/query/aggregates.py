"""Aggregate functions over the values of one group, undefined values skipped.

Sources (learn.microsoft.com/azure/cosmos-db/nosql/query/...): `count` counts defined values; `sum` and
`average`: "If any arguments are string, boolean, or null, the entire aggregate returns undefined" and
undefined arguments are left out; `max`/`min`: numbers, strings, booleans and null compare in the order
null < boolean < number < string, undefined values are ignored. Over no values at all COUNT and SUM give
0 (the service's SUM starts from zero), AVG, MIN and MAX give undefined.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from local_emulators.cosmos.query.values import UNDEFINED, is_number, is_primitive, number_result, order_compare


def _count(values: Iterable[Any]) -> Any:
    return sum(1 for value in values if value is not UNDEFINED)


def _numbers(values: Iterable[Any]) -> list[Any] | None:
    numbers = []
    for value in values:
        if value is UNDEFINED:
            continue
        if not is_number(value):
            return None
        numbers.append(value)
    return numbers


def _sum(values: Iterable[Any]) -> Any:
    numbers = _numbers(values)
    return UNDEFINED if numbers is None else number_result(sum(numbers))


def _average(values: Iterable[Any]) -> Any:
    numbers = _numbers(values)
    if not numbers:
        return UNDEFINED
    return number_result(sum(numbers) / len(numbers))


def _extreme(sign: int) -> Callable[[Iterable[Any]], Any]:
    def run(values: Iterable[Any]) -> Any:
        best: Any = UNDEFINED
        for value in values:
            if value is UNDEFINED:
                continue
            if not is_primitive(value):
                return UNDEFINED  # arrays and objects have no MIN/MAX
            if best is UNDEFINED or order_compare(value, best) * sign > 0:
                best = value
        return best

    return run


def _count_if(values: Iterable[Any]) -> Any:
    # COUNTIF counts the rows whose condition is exactly true (the hybrid-search statistics query uses it).
    return sum(1 for value in values if value is True)


AGGREGATORS: dict[str, Callable[[Iterable[Any]], Any]] = {
    "COUNT": _count,
    "SUM": _sum,
    "AVG": _average,
    "MIN": _extreme(-1),
    "MAX": _extreme(1),
    "COUNTIF": _count_if,
}


def aggregate(name: str, values: Iterable[Any]) -> Any:
    """Apply the aggregate called `name` (upper-case) to the values of one group."""
    return AGGREGATORS[name](values)
