"""Compiles expression trees into Python closures once, so running a query walks no syntax tree.

A compiled expression is `fn(bindings, params)`: `bindings` maps each FROM/JOIN alias in scope to its
value for the current row, `params` maps `@name` to the parameter value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from local_emulators.cosmos.query import ast
from local_emulators.cosmos.query.errors import QueryCompileError
from local_emulators.cosmos.query.functions import lookup
from local_emulators.cosmos.query.operators import BINARY, UNARY, like, logical_not
from local_emulators.cosmos.query.udf_calls import compile_udf
from local_emulators.cosmos.query.values import UNDEFINED, is_number, sql_compare, sql_equal

Bindings = dict[str, Any]
Params = Mapping[str, Any]
Fn = Callable[[Bindings, Params], Any]
SubqueryRunner = Callable[[Bindings, Params], list[Any]]
RANK_ONLY_FUNCTIONS = frozenset({"FULLTEXTSCORE", "RRF"})
AGGREGATES_KEY = "$aggregates"  # cannot clash with an alias: identifiers never start with `$`


@dataclass
class CompileContext:
    """State shared by every compiler of one query: its text (for error positions) and parameters used."""

    text: str
    parameters: set[str] = field(default_factory=set)
    compile_subquery: Callable[[ast.Query, frozenset[str]], SubqueryRunner] | None = None


@dataclass
class GroupMode:
    """Compiling a SELECT list of an aggregate query: aggregates are read from the group's results."""

    keys: tuple[ast.Expr, ...]
    aggregates: list[ast.Aggregate] = field(default_factory=list)


class ExpressionCompiler:
    """Turns `ast` expressions into closures for one scope of bound names."""

    def __init__(self, context: CompileContext, names: frozenset[str], group: GroupMode | None = None) -> None:
        self.context = context
        self.names = names
        self.group = group

    def error(self, message: str, node: Any) -> QueryCompileError:
        """A compile error pointing at `node` in the query text."""
        return QueryCompileError(message, getattr(node, "position", None), self.context.text)

    def compile(self, node: ast.Expr) -> Fn:
        """Compile one expression."""
        if self.group is not None and node in self.group.keys:
            return ExpressionCompiler(self.context, self.names).compile(node)
        if isinstance(node, ast.Literal):
            value = node.value
            return lambda b, p: value
        if isinstance(node, ast.Param):
            name = node.name
            self.context.parameters.add(name)
            return lambda b, p: p[name]
        if isinstance(node, ast.Ident):
            return self._identifier(node)
        if isinstance(node, ast.Member):
            return self._member(node)
        if isinstance(node, ast.Index):
            return self._index(node)
        if isinstance(node, ast.Unary):
            operand, unary = self.compile(node.operand), UNARY[node.op]
            return lambda b, p: unary(operand(b, p))
        if isinstance(node, ast.Binary):
            return self._binary(node)
        if isinstance(node, ast.Ternary):
            cond, then, other = self.compile(node.condition), self.compile(node.then), self.compile(node.otherwise)
            return lambda b, p: then(b, p) if cond(b, p) is True else other(b, p)
        if isinstance(node, ast.In):
            return self._in(node)
        if isinstance(node, ast.Between):
            return self._between(node)
        if isinstance(node, ast.Like):
            return self._like(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Aggregate):
            return self._aggregate(node)
        if isinstance(node, ast.ArrayLiteral | ast.ObjectLiteral) and _constant(node):
            # A literal array or object (a query vector of 1,536 numbers) is built once, not per row;
            # functions never modify their arguments, so rows can share it.
            value = self._literal_structure(node)({}, {})
            return lambda b, p: value
        if isinstance(node, ast.ArrayLiteral):
            items = [self.compile(item) for item in node.items]
            # Undefined cannot live inside JSON, so it is left out of constructed arrays and objects.
            return lambda b, p: [v for v in (item(b, p) for item in items) if v is not UNDEFINED]
        if isinstance(node, ast.ObjectLiteral):
            pairs = [(key, self.compile(value)) for key, value in node.pairs]
            return lambda b, p: {k: v for k, v in ((k, f(b, p)) for k, f in pairs) if v is not UNDEFINED}
        return self._subquery(node)

    def _literal_structure(self, node: ast.ArrayLiteral | ast.ObjectLiteral) -> Fn:
        if isinstance(node, ast.ArrayLiteral):
            items = [self.compile(item) for item in node.items]
            return lambda b, p: [v for v in (item(b, p) for item in items) if v is not UNDEFINED]
        pairs = [(key, self.compile(value)) for key, value in node.pairs]
        return lambda b, p: {k: v for k, v in ((k, f(b, p)) for k, f in pairs) if v is not UNDEFINED}

    def _identifier(self, node: ast.Ident) -> Fn:
        name = node.name
        if name not in self.names:
            raise self.error(f"Identifier '{name}' could not be resolved", node)
        if self.group is not None:
            raise self.error(
                f"Property reference '{name}' is invalid in the select list because it is not contained in "
                "either an aggregate function or the GROUP BY clause",
                node,
            )
        return lambda b, p: b[name]

    def _member(self, node: ast.Member) -> Fn:
        target, name = self.compile(node.target), node.name

        def member(b: Bindings, p: Params) -> Any:
            value = target(b, p)
            return value.get(name, UNDEFINED) if isinstance(value, dict) else UNDEFINED

        return member

    def _index(self, node: ast.Index) -> Fn:
        target, index = self.compile(node.target), self.compile(node.index)

        def item(b: Bindings, p: Params) -> Any:
            value, key = target(b, p), index(b, p)
            if isinstance(value, dict) and isinstance(key, str):
                return value.get(key, UNDEFINED)
            if isinstance(value, list) and is_number(key) and float(key).is_integer() and 0 <= key < len(value):
                return value[int(key)]
            return UNDEFINED

        return item

    def _binary(self, node: ast.Binary) -> Fn:
        left, right, function = self.compile(node.left), self.compile(node.right), BINARY[node.op]
        if node.op == "AND":
            return lambda b, p: False if (value := left(b, p)) is False else function(value, right(b, p))
        if node.op == "OR":
            return lambda b, p: True if (value := left(b, p)) is True else function(value, right(b, p))
        return lambda b, p: function(left(b, p), right(b, p))

    def _in(self, node: ast.In) -> Fn:
        value, items, negated = self.compile(node.value), [self.compile(i) for i in node.items], node.negated

        def contains(b: Bindings, p: Params) -> Any:
            needle = value(b, p)
            if needle is UNDEFINED:
                return UNDEFINED
            found = any(sql_equal(needle, item(b, p)) is True for item in items)
            return not found if negated else found

        return contains

    def _between(self, node: ast.Between) -> Fn:
        value, low, high = self.compile(node.value), self.compile(node.low), self.compile(node.high)
        negated = node.negated

        def between(b: Bindings, p: Params) -> Any:
            current = value(b, p)
            above, below = sql_compare(current, low(b, p)), sql_compare(current, high(b, p))
            if above is UNDEFINED or below is UNDEFINED:
                return UNDEFINED
            inside = above >= 0 and below <= 0  # type: ignore[operator]
            return not inside if negated else inside

        return between

    def _like(self, node: ast.Like) -> Fn:
        value, pattern = self.compile(node.value), self.compile(node.pattern)
        escape = self.compile(node.escape) if node.escape is not None else (lambda b, p: None)
        if node.negated:
            return lambda b, p: logical_not(like(value(b, p), pattern(b, p), escape(b, p)))
        return lambda b, p: like(value(b, p), pattern(b, p), escape(b, p))

    def _call(self, node: ast.Call) -> Fn:
        if node.name.startswith("udf."):
            return compile_udf(node.name[4:], [self.compile(arg) for arg in node.args])
        if node.name in RANK_ONLY_FUNCTIONS:
            # fulltextscore remarks: valid only in ORDER BY RANK or as an argument of RRF, never projected.
            raise self.error(
                f"The {node.name} function can only be used in an ORDER BY RANK clause (or as an argument of RRF)",
                node,
            )
        spec = lookup(node.name)
        if spec is None:
            raise self.error(f"'{node.name}' is not a recognized built-in function name", node)
        count = len(node.args)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            raise self.error(f"The {node.name} function does not take {count} argument(s)", node)
        impl, args = spec.impl, [self.compile(arg) for arg in node.args]
        if count == 0:
            return lambda b, p: impl()
        if spec.takes_undefined:
            return lambda b, p: impl(*[arg(b, p) for arg in args])
        if count == 1:
            (first,) = args
            return lambda b, p: UNDEFINED if (x := first(b, p)) is UNDEFINED else impl(x)
        if count == 2:
            first, second = args

            def call2(b: Bindings, p: Params) -> Any:
                x, y = first(b, p), second(b, p)
                return UNDEFINED if x is UNDEFINED or y is UNDEFINED else impl(x, y)

            return call2

        def call(b: Bindings, p: Params) -> Any:
            values = [arg(b, p) for arg in args]
            return UNDEFINED if any(value is UNDEFINED for value in values) else impl(*values)

        return call

    def _aggregate(self, node: ast.Aggregate) -> Fn:
        if self.group is None:
            raise self.error(f"Aggregate {node.name} is only allowed in the SELECT list", node)
        slot = len(self.group.aggregates)
        self.group.aggregates.append(node)
        return lambda b, p: b[AGGREGATES_KEY][slot]

    def _subquery(self, node: ast.Subquery) -> Fn:
        if self.context.compile_subquery is None:  # pragma: no cover - the query compiler always sets it
            raise self.error("Subqueries are not allowed here", node)
        run = self.context.compile_subquery(node.query, self.names)
        if node.kind == "exists":
            return lambda b, p: bool(run(b, p))
        if node.kind == "array":
            return run
        return lambda b, p: rows[0] if (rows := run(b, p)) else UNDEFINED


def _constant(node: ast.Expr) -> bool:
    """Whether an expression is made only of literals (signed numbers, nested arrays and objects)."""
    if isinstance(node, ast.Literal):
        return True
    if isinstance(node, ast.Unary) and node.op in ("-", "+"):
        return isinstance(node.operand, ast.Literal)
    if isinstance(node, ast.ArrayLiteral):
        return all(_constant(item) for item in node.items)
    if isinstance(node, ast.ObjectLiteral):
        return all(_constant(value) for _, value in node.pairs)
    return False
