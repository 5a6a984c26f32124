"""The comparison every query table uses: JSON rows equal as Cosmos sees them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from local_emulators.cosmos.query import compile_query


def tagged(value: Any) -> Any:
    """A form of a JSON value whose == keeps booleans and numbers apart and ignores int/float."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if isinstance(value, int | float):
        return ("number", round(float(value), 9))
    if isinstance(value, list):
        return ("array", [tagged(item) for item in value])
    if isinstance(value, dict):
        return ("object", {key: tagged(item) for key, item in value.items()})
    raise AssertionError(f"not a JSON value: {value!r}")


def assert_query_rows(
    query: str,
    docs: Sequence[dict[str, Any]],
    params: Mapping[str, Any],
    expected: Sequence[Any],
    *,
    any_order: bool = False,
) -> None:
    """Run `query` over `docs` and assert its rows equal `expected` (in order unless `any_order`)."""
    rows = compile_query(query).run(docs, params)
    got, want = [tagged(row) for row in rows], [tagged(row) for row in expected]
    if any_order:
        got, want = sorted(got, key=repr), sorted(want, key=repr)
    assert got == want
