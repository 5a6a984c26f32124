"""`ORDER BY RANK`: full-text (BM25) ranking and hybrid Reciprocal Rank Fusion, run whole on the server.

Sources: learn.microsoft.com/azure/cosmos-db/nosql/query/fulltextscore and .../rrf. `ORDER BY RANK` takes
`FullTextScore(path, term, ...)` (terms as separate strings or one array) or `RRF(component, ...[, weights])`
whose components are `FullTextScore` and `VectorDistance` calls. The ranking reproduces what the
azure-cosmos SDK's hybrid pipeline computes from the per-partition component queries
(`_execution_context/hybrid_search_aggregator.py`), so a query gives the same order run in one partition
on the server or across partitions by the SDK:
- BM25 statistics (N, total words, per-term document counts) are over every document in scope, not only
  the rows WHERE keeps (the plan's statistics query has no WHERE);
- rows are ordered by `_rid`, then each component's scores are sorted (descending; ascending for a
  Euclidean distance; reversed by a negative weight), ranks are dense (equal scores share a rank), a
  row's RRF score is the sum of |weight| / (60 + rank), and rows are sorted by it, highest first;
- a missing score takes the plan's default for the component's final direction: -1 (full text) or
  -1.79769e308 (vector) when sorted descending, 1 or 1.79769e308 when ascending.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from local_emulators.cosmos.query import ast
from local_emulators.cosmos.query.errors import QueryCompileError, QueryRuntimeError
from local_emulators.cosmos.query.evaluator import Bindings, CompileContext, ExpressionCompiler, Fn, Params
from local_emulators.cosmos.query.functions.text_analysis import bm25, phrase_count, tokens
from local_emulators.cosmos.query.functions.vector import distance_name
from local_emulators.cosmos.query.values import is_number

RRF_CONSTANT = 60  # the SDK's and the service's k
MISSING_TEXT_SCORE = 1.0
MAX_DOUBLE = 1.79769e308


def missing_score(full_text: bool, descending: bool) -> float:
    """What a row without a score counts as, as the hybrid plan's `?? default` says."""
    magnitude = MISSING_TEXT_SCORE if full_text else MAX_DOUBLE
    return -magnitude if descending else magnitude


Rows = Callable[[Iterable[Any] | None, Bindings, Params], Iterator[Bindings]]


@dataclass(frozen=True)
class Component:
    """One ranking input: a `FullTextScore` or a `VectorDistance` call."""

    call: ast.Call
    full_text: bool

    @property
    def field(self) -> ast.Expr:
        """The document property the component scores."""
        return self.call.args[0]

    @property
    def terms(self) -> tuple[ast.Expr, ...]:
        """The search terms of a full-text component, as written (strings, or one array)."""
        return self.call.args[1:]

    def similar_first_descending(self) -> bool:
        """Whether higher scores are better: all but a Euclidean distance."""
        if self.full_text:
            return True
        options = self.call.args[3] if len(self.call.args) == 4 else None
        if isinstance(options, ast.ObjectLiteral):
            for key, value in options.pairs:
                if key == "distanceFunction" and isinstance(value, ast.Literal):
                    return distance_name({"distanceFunction": value.value}) != "euclidean"
        return True


def _error(message: str, node: Any, context: CompileContext | None = None) -> QueryCompileError:
    return QueryCompileError(message, getattr(node, "position", None), context.text if context else None)


def components(expr: ast.Expr, context: CompileContext | None = None) -> tuple[list[Component], ast.Expr | None]:
    """The components of an `ORDER BY RANK` expression and its RRF weights expression (if any).

    Raises:
        QueryCompileError: The expression is not FullTextScore or RRF of FullTextScore/VectorDistance.
    """
    if isinstance(expr, ast.Call) and expr.name == "FULLTEXTSCORE":
        return [_component(expr, context)], None
    if not (isinstance(expr, ast.Call) and expr.name == "RRF"):
        raise _error("ORDER BY RANK takes a FullTextScore or RRF function", expr, context)
    args = list(expr.args)
    weights: ast.Expr | None = None
    if args and not (isinstance(args[-1], ast.Call) and args[-1].name in ("FULLTEXTSCORE", "VECTORDISTANCE")):
        weights = args.pop()
    if len(args) < 1:
        raise _error("RRF needs at least one FullTextScore or VectorDistance argument", expr, context)
    found = [_component(arg, context) for arg in args]
    if weights is not None and not _constant(weights):
        raise _error("The RRF weights must be an array literal or a parameter", weights, context)
    return found, weights


def _constant(node: ast.Expr) -> bool:
    """Literals, parameters, signed numbers and arrays of them: the same for every row."""
    if isinstance(node, ast.Literal | ast.Param):
        return True
    if isinstance(node, ast.Unary) and node.op in ("-", "+"):
        return _constant(node.operand)
    return isinstance(node, ast.ArrayLiteral) and all(_constant(item) for item in node.items)


def _component(node: ast.Expr, context: CompileContext | None) -> Component:
    if isinstance(node, ast.Call) and node.name == "FULLTEXTSCORE":
        if len(node.args) < 2:
            raise _error("FullTextScore needs a property path and at least one term", node, context)
        if not all(_constant(term) for term in node.args[1:]):
            raise _error("FullTextScore terms must be string literals or parameters", node, context)
        return Component(node, full_text=True)
    if isinstance(node, ast.Call) and node.name == "VECTORDISTANCE":
        return Component(node, full_text=False)
    raise _error("RRF arguments must be FullTextScore or VectorDistance functions (and a weights array)", node, context)


def term_values(values: list[Any]) -> list[str] | None:
    """The terms of `FullTextScore(path, "a", "b")` or `FullTextScore(path, ["a", "b"])`, None if invalid."""
    if len(values) == 1 and isinstance(values[0], list):
        values = values[0]
    if not values or not all(isinstance(value, str) for value in values):
        return None
    return values


def weight_values(value: Any, count: int) -> list[float]:
    """RRF weights: one number per component.

    Raises:
        QueryRuntimeError: The weights are not an array of `count` numbers.
    """
    if not isinstance(value, list) or len(value) != count or not all(is_number(item) for item in value):
        raise QueryRuntimeError(f"The RRF weights must be an array of {count} numbers, got {value!r}")
    return [float(item) for item in value]


class _Scorer:
    """Scores rows for one component within one run (full-text statistics gathered over the documents)."""

    def __init__(self, component: Component, compiler: ExpressionCompiler, alias: str) -> None:
        self.component = component
        self.alias = alias
        if component.full_text:
            self.field = compiler.compile(component.field)
            self.term_fns = [compiler.compile(term) for term in component.terms]
        else:
            self.vector = compiler.compile(component.call)

    def prepare(self, documents: list[Any], b: Bindings, p: Params) -> Callable[[Bindings], float | None]:
        """The component's score of a row (None when it has none), with statistics over `documents`."""
        if not self.component.full_text:
            return lambda row: value if is_number(value := self.vector(row, p)) else None
        terms = term_values([fn(b, p) for fn in self.term_fns])
        if terms is None:
            raise QueryRuntimeError("FullTextScore terms must be strings (or one array of strings)")
        term_tokens = [tokens(term) for term in terms]
        texts = [self.field({**b, self.alias: document}, p) for document in documents]
        analysed = [tokens(text) for text in texts if isinstance(text, str)]
        total_words = sum(len(words) for words in analysed)
        hits = [sum(1 for words in analysed if phrase_count(words, term) > 0) for term in term_tokens]
        count = len(documents)

        def score(row: Bindings) -> float | None:
            text = self.field(row, p)
            if not isinstance(text, str):
                return None
            return bm25(tokens(text), term_tokens, count, total_words, hits)

        return score


def _rid(row: Bindings, alias: str) -> str:
    document = row.get(alias)
    rid = document.get("_rid") if isinstance(document, dict) else None
    return rid if isinstance(rid, str) else ""


def compile_ranked(context: CompileContext, query: ast.Query, rows: Rows, names: frozenset[str]) -> Rows:
    """Rows sorted by the query's `ORDER BY RANK` expression.

    Raises:
        QueryCompileError: The RANK expression is invalid, or the query does not read a container directly.
    """
    source = query.source
    if not isinstance(source, ast.CollectionSource) or source.iterate or not isinstance(source.expr, ast.Ident):
        raise _error("ORDER BY RANK needs 'FROM <container> [alias]'", source, context)
    alias = source.alias
    found, weights_expr = components(query.order_by[0].expr, context)
    compiler = ExpressionCompiler(context, names)
    scorers = [_Scorer(component, compiler, alias) for component in found]
    weights_fn: Fn | None = compiler.compile(weights_expr) if weights_expr is not None else None
    fuse = isinstance(query.order_by[0].expr, ast.Call) and query.order_by[0].expr.name == "RRF"

    def ranked(d: Iterable[Any] | None, b: Bindings, p: Params) -> Iterator[Bindings]:
        documents = list(d or ())
        scores = [scorer.prepare(documents, b, p) for scorer in scorers]
        selected = sorted(rows(documents, b, p), key=lambda row: _rid(row, alias))
        if not fuse:
            default = missing_score(True, True)
            keyed = [(default if (value := scores[0](row)) is None else value, row) for row in selected]
            keyed.sort(key=lambda pair: pair[0], reverse=True)
            return iter([row for _, row in keyed])
        weights = [1.0] * len(scorers) if weights_fn is None else weight_values(weights_fn(b, p), len(scorers))
        fused = [0.0] * len(selected)
        for scorer, score, weight in zip(scorers, scores, weights, strict=True):
            descending = scorer.component.similar_first_descending() != (weight < 0)
            default = missing_score(scorer.component.full_text, descending)
            values = [default if (value := score(row)) is None else value for row in selected]
            order = sorted(range(len(selected)), key=lambda i: values[i], reverse=descending)
            rank = 0
            for position, index in enumerate(order):
                if position == 0 or values[index] != values[order[position - 1]]:
                    rank += 1
                fused[index] += abs(weight) / (RRF_CONSTANT + rank)
        order = sorted(range(len(selected)), key=lambda i: fused[i], reverse=True)
        return iter([selected[i] for i in order])

    return ranked


__all__ = ["Component", "compile_ranked", "components", "missing_score", "term_values", "weight_values"]
