"""The package's entry point: compile a query text once, run it over documents many times."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from local_emulators.cosmos.query import vector_policy
from local_emulators.cosmos.query.errors import QueryRuntimeError, QuerySyntaxError
from local_emulators.cosmos.query.evaluator import CompileContext
from local_emulators.cosmos.query.parser import parse
from local_emulators.cosmos.query.pipeline import QueryCompiler, Runner
from local_emulators.cosmos.query.projection import contains_aggregate


class CompiledQuery:
    """A parsed, checked and compiled query; immutable and safe to run from several threads.

    Attributes:
        text: The query text it was compiled from.
        has_group_by: The top-level query has a GROUP BY clause.
        has_aggregate: The top-level SELECT list holds an aggregate (COUNT, SUM, AVG, MIN, MAX).
        has_order_by: The top-level query has an ORDER BY clause.
        parameters: The `@names` the query uses, each of which `run` requires.
    """

    def __init__(self, text: str, vector_embedding_policy: Any = None) -> None:
        self.text = text
        try:
            tree = vector_policy.apply(parse(text), vector_embedding_policy)
            context = CompileContext(text)
            self._runner: Runner = QueryCompiler(context).compile(tree, frozenset(), root_level=True)
        except RecursionError as exc:
            # Deeply nested parentheses, subqueries or operator chains: refuse rather than crash.
            raise QuerySyntaxError("The query is nested too deeply to be processed") from exc
        self.has_group_by = bool(tree.group_by)
        self.has_aggregate = contains_aggregate(tree.select)
        self.has_order_by = bool(tree.order_by)
        self.parameters = frozenset(context.parameters)

    def run(self, documents: Iterable[dict[str, Any]], parameters: Mapping[str, Any] | None = None) -> list[Any]:
        """Run the query over the container's documents and return every result row, in order.

        Args:
            documents: The documents as stored, system properties included; they are not modified.
            parameters: Parameter values keyed by name including the `@` (`{"@m": 2}`).

        Raises:
            QueryRuntimeError: A parameter the query uses is missing, or TOP/OFFSET/LIMIT is not a
                non-negative integer.
        """
        params = parameters or {}
        missing = sorted(self.parameters - params.keys())
        if missing:
            raise QueryRuntimeError(f"Parameter {missing[0]} is used in the query but was not declared")
        try:
            return self._runner(documents, {}, params)
        except RecursionError as exc:
            raise QueryRuntimeError("The query is nested too deeply to be evaluated") from exc


def compile_query(text: str, vector_embedding_policy: Any = None) -> CompiledQuery:
    """Parse and compile a Cosmos SQL query, for a container with this vector embedding policy (if any).

    Raises:
        QuerySyntaxError: The text is not a well-formed query.
        UnsupportedQueryError: The query uses a feature the emulator does not implement.
        QueryCompileError: Unknown identifier or function, wrong argument count, misplaced aggregate.
    """
    return CompiledQuery(text, vector_embedding_policy)
