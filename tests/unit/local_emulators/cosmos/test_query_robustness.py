"""Robustness: no function, operator or odd query leaks a Python exception (the server would answer 500).

Cosmos answers wrong argument types with undefined; so must every built-in here, for every JSON type,
including huge and non-finite numbers.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from local_emulators.cosmos.query import UNDEFINED, QueryError, compile_query
from local_emulators.cosmos.query.functions import REGISTRY
from local_emulators.cosmos.query.operators import BINARY, UNARY

VALUES: list[Any] = [
    UNDEFINED, None, True, 0, -3, 2.5, 64, 2**70, 1e308, float("nan"), float("inf"),
    "", "abc", "2020-01-01T00:00:00Z", "dd", [], [1, 2], ["a"], {}, {"a": 1},
]  # fmt: skip


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_function_never_raises(name: str) -> None:
    spec = REGISTRY[name]
    highest = spec.max_args if spec.max_args is not None else spec.min_args + 1
    rng = random.Random(name)
    for count in range(spec.min_args, min(highest, 4) + 1):
        combos = list(itertools.product(VALUES, repeat=count)) if count <= 2 else None
        for _ in range(len(combos) if combos else 400):
            args = combos.pop() if combos else tuple(rng.choice(VALUES) for _ in range(count))
            spec.impl(*args)  # must return (possibly UNDEFINED), never raise


def test_operators_never_raise() -> None:
    for function in BINARY.values():
        for left, right in itertools.product(VALUES, repeat=2):
            function(left, right)
    for unary in UNARY.values():
        for value in VALUES:
            unary(value)


def test_huge_shift_counts_are_undefined_not_huge_numbers() -> None:
    assert compile_query("SELECT VALUE [1 << 100000000, IntBitLeftShift(1, 1e9), 1 << 63]").run([], {}) == [[-(2**63)]]


def test_random_token_soup_raises_only_query_errors() -> None:
    pieces = [
        "SELECT", "VALUE", "*", "FROM", "c", "WHERE", "JOIN", "t", "IN", "c.tags", "(", ")", "[", "]", "{", "}",
        ",", ".", "=", "<", "AND", "OR", "NOT", "1", "'x'", "@p", "ORDER", "BY", "GROUP", "TOP", "COUNT(1)",
        "ABS", "EXISTS", "ARRAY", "?", ":", "??", "BETWEEN", "LIKE", "OFFSET", "LIMIT", "DISTINCT", "udf.f",
    ]  # fmt: skip
    rng = random.Random(5)
    docs: list[dict[str, Any]] = [{"id": "1", "tags": ["x"]}, {"id": "2"}]
    outcomes = {"ran": 0, "rejected": 0}
    for _ in range(1500):
        text = "SELECT " + " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        try:
            compile_query(text).run(docs, {"@p": 1})
            outcomes["ran"] += 1
        except QueryError:  # anything else escapes and fails the test
            outcomes["rejected"] += 1
    assert outcomes["ran"] > 0
    assert outcomes["rejected"] > 0
