"""TEMPORARY stand-in for `local_emulators.cosmos.query` until the real query package lands.

Understands only `SELECT * FROM <alias>`; deleted as soon as the real package is importable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any


class QueryError(Exception):
    """Root of the shim's query errors."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsupportedQueryError(QueryError):
    """The shim cannot run this query."""


class QuerySyntaxError(QueryError):
    """Malformed query text."""


_SELECT_ALL = re.compile(r"^\s*SELECT\s+\*\s+FROM\s+\w+\s*$", re.IGNORECASE)


class CompiledQuery:
    """A query the shim can run."""

    has_group_by = False
    has_aggregate = False
    has_order_by = False

    def run(self, documents: Iterable[dict[str, Any]], parameters: Mapping[str, Any]) -> list[Any]:
        """Return every document."""
        return list(documents)


def compile_query(text: str) -> CompiledQuery:
    """Compile `SELECT * FROM c`, or raise `UnsupportedQueryError`."""
    if not _SELECT_ALL.match(text):
        raise UnsupportedQueryError(f"The temporary query shim cannot run '{text}'.")
    return CompiledQuery()
