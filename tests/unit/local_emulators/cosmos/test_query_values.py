"""Unit tests of the Cosmos value rules: undefined vs null, equality, comparison and the ORDER BY order."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from local_emulators.cosmos.query import UNDEFINED, Undefined
from local_emulators.cosmos.query.values import (
    canonical,
    deep_equal,
    order_compare,
    sort_key,
    sql_compare,
    sql_equal,
)

# One value per type, in the documented cross-type order.
ORDERED: list[Any] = [UNDEFINED, None, False, True, -1, 0, 2.5, "", "a", "b", [], [1], [1, 2], [2], {}, {"a": 1}]


def test_undefined_is_a_falsy_singleton_distinct_from_null() -> None:
    assert Undefined() is UNDEFINED
    assert UNDEFINED is not None
    assert not UNDEFINED
    assert repr(UNDEFINED) == "undefined"


def test_order_compare_follows_the_documented_type_order() -> None:
    for (i, left), (j, right) in itertools.product(enumerate(ORDERED), repeat=2):
        assert order_compare(left, right) == (i > j) - (i < j), (left, right)


def test_sort_key_agrees_with_order_compare() -> None:
    rng = random.Random(7)
    pool = [*ORDERED, 1.0, {"a": 1, "b": [None]}, {"b": 0}, [True, "x"], ["x"]]
    for _ in range(500):
        left, right = rng.choice(pool), rng.choice(pool)
        expected = order_compare(left, right)
        got = (sort_key(left) > sort_key(right)) - (sort_key(left) < sort_key(right))
        assert got == expected, (left, right)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (1, 1.0, True),
        (1, True, UNDEFINED),
        (None, None, True),
        (None, UNDEFINED, UNDEFINED),
        ("a", "a", True),
        ([1, {"x": True}], [1.0, {"x": True}], True),
        ([True], [1], False),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ([1], {"0": 1}, UNDEFINED),
    ],
)
def test_sql_equal(left: Any, right: Any, expected: Any) -> None:
    assert sql_equal(left, right) is expected


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [(1, 2, -1), ("b", "a", 1), (False, True, -1), (None, None, 0), (1, "1", UNDEFINED), ([1], [2], UNDEFINED)],
)
def test_sql_compare(left: Any, right: Any, expected: Any) -> None:
    result = sql_compare(left, right)
    assert result is UNDEFINED if expected is UNDEFINED else result == expected


def test_canonical_keys_match_structural_equality() -> None:
    assert canonical(1) == canonical(1.0)
    assert canonical({"a": 1, "b": 2}) == canonical({"b": 2, "a": 1.0})
    assert canonical(True) != canonical(1)
    assert canonical(UNDEFINED) != canonical(None)
    assert deep_equal({"a": [1]}, {"a": [1.0]})
