"""Compiles a whole query into a runner: FROM/JOIN, WHERE, GROUP BY, ORDER BY, SELECT, DISTINCT, OFFSET, TOP.

Clause semantics follow learn.microsoft.com/azure/cosmos-db/nosql/query/ (`from`, `join`, `where`,
`group-by`, `order-by`, `offset-limit`, `select`, `subquery`):
- WHERE keeps a row only when the filter is exactly `true`.
- ORDER BY returns every row, including rows whose key is undefined ("Queries with ORDER BY return all items,
  including items where the property in the ORDER BY clause isn't defined", order-by remarks); undefined
  sorts lowest, then null < false < true < numbers < strings < arrays < objects.
- `SELECT VALUE` drops undefined results; a projected object leaves undefined properties out.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from local_emulators.cosmos.query import ast, ranking, vector_batch
from local_emulators.cosmos.query.aggregates import aggregate
from local_emulators.cosmos.query.errors import QueryCompileError, QueryRuntimeError
from local_emulators.cosmos.query.evaluator import (
    AGGREGATES_KEY,
    Bindings,
    CompileContext,
    ExpressionCompiler,
    Fn,
    GroupMode,
    Params,
)
from local_emulators.cosmos.query.functions.vector import DEFAULT_DISTANCE
from local_emulators.cosmos.query.projection import compile_projection, contains_aggregate
from local_emulators.cosmos.query.values import UNDEFINED, canonical, sort_key

Documents = Iterable[Any] | None
Rows = Callable[[Documents, Bindings, Params], Iterator[Bindings]]
Runner = Callable[[Documents, Bindings, Params], list[Any]]


class QueryCompiler:
    """Builds runners for a query and, recursively, its subqueries."""

    def __init__(self, context: CompileContext) -> None:
        self.context = context
        context.compile_subquery = self._expression_subquery

    def _error(self, message: str, position: int | None) -> QueryCompileError:
        return QueryCompileError(message, position, self.context.text)

    def _expression_subquery(self, query: ast.Query, outer: frozenset[str]) -> Callable[[Bindings, Params], list[Any]]:
        run = self.compile(query, outer, root_level=False)
        return lambda b, p: run(None, b, p)

    def compile(self, query: ast.Query, outer: frozenset[str], root_level: bool) -> Runner:
        """Compile `query`; `root_level` queries read the container's documents, others only bindings."""
        rows, names, aliases = self._from_clause(query, outer, root_level)
        if query.where is not None:
            condition, unfiltered = ExpressionCompiler(self.context, names).compile(query.where), rows

            def rows(d: Documents, b: Bindings, p: Params) -> Iterator[Bindings]:
                return (row for row in unfiltered(d, b, p) if condition(row, p) is True)

        is_aggregate = bool(query.group_by) or contains_aggregate(query.select)
        if is_aggregate:
            if query.order_by and query.group_by:
                # group-by remarks: "You can't use GROUP BY with an ORDER BY clause."
                raise self._error("ORDER BY cannot be combined with GROUP BY", None)
            if query.order_by:
                # An aggregate over the whole input is one row: the service accepts the ORDER BY
                # (`SELECT VALUE AVG(c.n) FROM c ORDER BY c.n`), which changes nothing.
                self._ordered(query.order_by, rows, names)
            if query.select.star:
                raise self._error("'SELECT *' is not valid with GROUP BY or aggregates", None)
        elif query.order_by and query.order_by[0].rank:
            if not root_level:
                raise self._error("ORDER BY RANK is only valid in the outermost query", None)
            rows = ranking.compile_ranked(self.context, query, rows, names)
        elif query.order_by:
            rows = self._ordered(query.order_by, rows, names)
        group = GroupMode(query.group_by) if is_aggregate else None
        project = compile_projection(self.context, query.select, names, aliases, group, query.source is not None)
        if group is not None:
            rows = self._grouped(query.group_by, group, rows, names)
        return self._finish(query, rows, project)

    # ---------------------------------------------------------------- FROM and JOIN
    def _from_clause(
        self, query: ast.Query, outer: frozenset[str], root_level: bool
    ) -> tuple[Rows, frozenset[str], list[str]]:
        if query.source is None:
            return (lambda d, b, p: iter([dict(b)])), outer, []
        rows = self._source(query.source, outer, root_level)
        names = outer | {query.source.alias}
        aliases = [query.source.alias]
        for join in query.joins:
            rows = self._join(rows, self._source(join, names, root_level=False))
            names, aliases = names | {join.alias}, [*aliases, join.alias]
        return rows, names, aliases

    def _source(self, source: ast.Source, names: frozenset[str], root_level: bool) -> Rows:
        alias = source.alias
        if isinstance(source, ast.SubquerySource):
            run = self.compile(source.query, names, root_level)
            return lambda d, b, p: ({**b, alias: row} for row in run(d, b, p))
        if root_level:
            root = _root_name(source.expr)
            if root is None:
                raise self._error("A FROM clause must start with the container name", source.position)
            value = ExpressionCompiler(self.context, frozenset({root})).compile(source.expr)
            iterate = source.iterate

            def from_documents(d: Documents, b: Bindings, p: Params) -> Iterator[Bindings]:
                for document in d or ():
                    yield from _bind(b, alias, value({root: document}, p), iterate)

            return from_documents
        value = ExpressionCompiler(self.context, names).compile(source.expr)
        iterate = source.iterate
        return lambda d, b, p: _bind(b, alias, value(b, p), iterate)

    @staticmethod
    def _join(rows: Rows, source: Rows) -> Rows:
        def joined(d: Documents, b: Bindings, p: Params) -> Iterator[Bindings]:
            for row in rows(d, b, p):
                yield from source(None, row, p)

        return joined

    # ---------------------------------------------------------------- GROUP BY and ORDER BY
    def _grouped(self, group_by: tuple[ast.Expr, ...], group: GroupMode, rows: Rows, names: frozenset[str]) -> Rows:
        compiler = ExpressionCompiler(self.context, names)
        keys = [compiler.compile(expr) for expr in group_by]
        arguments = [(node.name, compiler.compile(node.arg)) for node in group.aggregates]

        def grouped(d: Documents, b: Bindings, p: Params) -> Iterator[Bindings]:
            groups: dict[tuple[Any, ...], list[Bindings]] = {}
            for row in rows(d, b, p):
                groups.setdefault(tuple(canonical(key(row, p)) for key in keys), []).append(row)
            if not keys and not groups:
                groups[()] = []  # an aggregate without GROUP BY yields one row even over no input
            for members in groups.values():
                results = [aggregate(name, (arg(row, p) for row in members)) for name, arg in arguments]
                yield {**(members[0] if members else b), AGGREGATES_KEY: results}

        return grouped

    def _ordered(self, order_by: tuple[ast.OrderItem, ...], rows: Rows, names: frozenset[str]) -> Rows:
        compiler = ExpressionCompiler(self.context, names)
        keys = [(index, compiler.compile(item.expr), _direction(item) < 0) for index, item in enumerate(order_by)]
        batch = vector_batch.batch_order(compiler, order_by[0]) if len(order_by) == 1 else None
        if batch is not None:
            order, descending = batch, keys[0][2]

            def vector_ordered(d: Documents, b: Bindings, p: Params) -> Iterator[Bindings]:
                selected = list(rows(d, b, p))
                return (selected[index] for index in order(selected, p, descending))

            return vector_ordered

        def ordered(d: Documents, b: Bindings, p: Params) -> Iterator[Bindings]:
            keyed = [([sort_key(key(row, p)) for _, key, _ in keys], row) for row in rows(d, b, p)]
            # One stable sort per key, last key first, gives the multi-key order with per-key direction.
            for index, _, descending in reversed(keys):
                keyed.sort(key=lambda pair: pair[0][index], reverse=descending)
            return (row for _, row in keyed)

        return ordered

    # ---------------------------------------------------------------- SELECT, DISTINCT, OFFSET/LIMIT, TOP
    def _finish(self, query: ast.Query, rows: Rows, project: Fn) -> Runner:
        distinct = query.select.distinct
        top, offset, limit = (self._count(e) for e in (query.select.top, query.offset, query.limit))

        def run(d: Documents, b: Bindings, p: Params) -> list[Any]:
            values: Iterator[Any] = (v for v in (project(row, p) for row in rows(d, b, p)) if v is not UNDEFINED)
            if distinct:
                values = _distinct(values)
            start, limit_count, top_count = offset(p) or 0, limit(p), top(p)
            stop = None if limit_count is None else start + limit_count
            if top_count is not None:
                stop = start + top_count if stop is None else min(stop, start + top_count)
            return list(itertools.islice(values, start, stop))

        return run

    def _count(self, expr: ast.Expr | None) -> Callable[[Params], int | None]:
        if expr is None:
            return lambda p: None
        fn = ExpressionCompiler(self.context, frozenset()).compile(expr)
        position = getattr(expr, "position", None)

        def count(p: Params) -> int:
            value = fn({}, p)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or value < 0
                or value > _MAX_COUNT
                or not float(value).is_integer()
            ):
                raise QueryRuntimeError(
                    f"TOP, OFFSET and LIMIT need a non-negative integer, got {value!r}", position, self.context.text
                )
            return int(value)

        if isinstance(expr, ast.Literal):
            try:
                count(_NO_PARAMS)
            except QueryRuntimeError as error:  # a bad literal is the query's fault, found before running
                compile_error = QueryCompileError(error.message)
                compile_error.position = error.position
                raise compile_error from error
        return count


_NO_PARAMS: Params = {}
_MAX_COUNT = 2**63 - 1  # TOP, OFFSET and LIMIT are 64-bit integers in the service


def _direction(item: ast.OrderItem) -> int:
    """1 for ascending, -1 for descending.

    `ORDER BY VectorDistance(...)` sorts "from most similar to least" whatever ASC/DESC says
    (vectordistance page): descending scores for cosine and dot product, ascending for Euclidean distance.
    """
    expr = item.expr
    if isinstance(expr, ast.Call) and expr.name == "VECTORDISTANCE":
        name: Any = DEFAULT_DISTANCE
        if len(expr.args) == 4 and isinstance(options := expr.args[3], ast.ObjectLiteral):
            for key, value in options.pairs:
                if key == "distanceFunction" and isinstance(value, ast.Literal) and isinstance(value.value, str):
                    name = value.value.lower()
        return 1 if name == "euclidean" else -1
    return -1 if item.descending else 1


def _root_name(expr: ast.Expr) -> str | None:
    while isinstance(expr, ast.Member | ast.Index):
        expr = expr.target
    return expr.name if isinstance(expr, ast.Ident) else None


def _bind(bindings: Bindings, alias: str, value: Any, iterate: bool) -> Iterator[Bindings]:
    if iterate:
        if isinstance(value, list):
            for item in value:
                yield {**bindings, alias: item}
    elif value is not UNDEFINED:
        yield {**bindings, alias: value}


def _distinct(values: Iterator[Any]) -> Iterator[Any]:
    seen: set[Any] = set()
    for value in values:
        key = canonical(value)
        if key not in seen:
            seen.add(key)
            yield value
