"""Cosmos DB NoSQL query engine: a pure parser and evaluator the emulator's server runs queries with.

Usage: `compile_query(text).run(documents, {"@name": value})` returns the full result list in order.
"""

from local_emulators.cosmos.query.compiled import CompiledQuery, compile_query
from local_emulators.cosmos.query.errors import (
    QueryCompileError,
    QueryError,
    QueryRuntimeError,
    QuerySyntaxError,
    UnsupportedQueryError,
)
from local_emulators.cosmos.query.values import UNDEFINED, Undefined

__all__ = [
    "UNDEFINED",
    "CompiledQuery",
    "QueryCompileError",
    "QueryError",
    "QueryRuntimeError",
    "QuerySyntaxError",
    "Undefined",
    "UnsupportedQueryError",
    "compile_query",
]
