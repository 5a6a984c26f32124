"""Query plans: what the gateway tells an SDK to do on its side to run a query across partitions.

The plan (`partitionedQueryExecutionInfo`) names the client-side steps (ORDER BY merge, aggregate
merge, DISTINCT, OFFSET/LIMIT, TOP) and the rewritten query each partition runs. The shapes follow
Azure's plans (the .NET SDK's QueryPlanBaselineTests and recorded gateway answers):
- ORDER BY: `SELECT c._rid, [{"item": key}, ...] AS orderByItems, <payload> AS payload ... WHERE
  ({documentdb-formattableorderbyquery-filter}) ORDER BY ...`; the SDK merges the partitions by the items.
- `SELECT VALUE AGG(x)`: `SELECT VALUE [{"item": AGG(x)}]`; AVG sends a sum and a count, MIN/MAX a
  second item with the count.
- OFFSET n LIMIT m: each partition returns its first n + m rows (`OFFSET 0 LIMIT n+m`).
- DISTINCT or TOP alone need no rewrite (an empty `rewrittenQuery`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from local_emulators.cosmos.query import ast, formatter
from local_emulators.cosmos.query.errors import QueryCompileError
from local_emulators.cosmos.query.functions.vector import DEFAULT_DISTANCE
from local_emulators.cosmos.query.hybrid_plan import hybrid_search_info
from local_emulators.cosmos.query.projection import contains_aggregate, item_names

ORDER_BY_FILTER = "{documentdb-formattableorderbyquery-filter}"
_OPERATORS = {"COUNT": "Count", "SUM": "Sum", "AVG": "Average", "MIN": "Min", "MAX": "Max", "COUNTIF": "CountIf"}
FULL_RANGE = {"min": "", "max": "FF", "isMinInclusive": True, "isMaxInclusive": False}


@dataclass(frozen=True)
class QueryPlan:
    """A query's plan and the query features an SDK must support to run it.

    Attributes:
        query_info: The `queryInfo` member of Azure's plan (empty for a hybrid search plan, sent as null).
        features: Query features the plan needs, named as in `x-ms-cosmos-supported-query-features`.
        value_aggregate_only: False when the query aggregates without `SELECT VALUE` (or groups), which
            the gateway refuses to run across partitions at all.
        hybrid_search_info: The `hybridSearchQueryInfo` of an `ORDER BY RANK` query (see `hybrid_plan`).
    """

    query_info: dict[str, Any]
    features: tuple[str, ...]
    value_aggregate_only: bool
    hybrid_search_info: dict[str, Any] | None = None

    @property
    def needs_pipeline(self) -> bool:
        """Whether the SDK must run the query itself (the gateway cannot stream it across partitions)."""
        return bool(self.features)

    def document(self, query_ranges: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The whole plan document the gateway returns."""
        return {
            "partitionedQueryExecutionInfoVersion": 2,
            # A hybrid search plan has no `queryInfo` (null), as in Azure's plans.
            "queryInfo": None if self.hybrid_search_info is not None else self.query_info,
            "queryRanges": query_ranges if query_ranges is not None else [dict(FULL_RANGE)],
            "hybridSearchQueryInfo": self.hybrid_search_info,
        }


def _count(node: ast.Expr | None, parameters: Mapping[str, Any]) -> int | None:
    if node is None:
        return None
    value = parameters.get(node.name) if isinstance(node, ast.Param) else getattr(node, "value", None)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or not float(value).is_integer():
        raise QueryCompileError(f"TOP, OFFSET and LIMIT need a non-negative integer, got {value!r}")
    return int(value)


def _aggregates(node: Any) -> list[ast.Aggregate]:
    """The aggregates of a clause, outside subqueries, in order of appearance."""
    if isinstance(node, ast.Aggregate):
        return [node]
    if isinstance(node, ast.Subquery):
        return []
    if isinstance(node, tuple | list):
        return [found for item in node for found in _aggregates(item)]
    if dataclasses.is_dataclass(node):
        return [found for f in dataclasses.fields(node) for found in _aggregates(getattr(node, f.name))]
    return []


def _partial(node: ast.Aggregate) -> ast.Expr:
    """What one partition returns for an aggregate so the SDK can combine the partitions."""
    if node.name == "AVG":
        pairs = (("sum", ast.Aggregate("SUM", node.arg)), ("count", ast.Aggregate("COUNT", node.arg)))
        return ast.ObjectLiteral((("item", ast.ObjectLiteral(pairs)),))
    if node.name in ("MIN", "MAX"):
        second = ast.ObjectLiteral(((node.name.lower(), node), ("count", ast.Aggregate("COUNT", node.arg))))
        return ast.ObjectLiteral((("item", node), ("item2", second)))
    return ast.ObjectLiteral((("item", node),))


def _with_partials(node: Any) -> Any:
    """`node` with every aggregate replaced by its per-partition partial."""
    if isinstance(node, ast.Aggregate):
        return _partial(node)
    if isinstance(node, ast.Subquery) or not dataclasses.is_dataclass(node):
        return node
    if isinstance(node, ast.ObjectLiteral):
        return ast.ObjectLiteral(tuple((key, _with_partials(value)) for key, value in node.pairs), node.position)
    changes = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, tuple):
            changes[f.name] = tuple(_with_partials(item) for item in value)
        elif dataclasses.is_dataclass(value):
            changes[f.name] = _with_partials(value)
    return dataclasses.replace(node, **changes)  # type: ignore[type-var]


def _descending(item: ast.OrderItem) -> bool:
    """The direction the engine sorts by: VectorDistance puts the most similar first whatever is written."""
    expr = item.expr
    if isinstance(expr, ast.Call) and expr.name == "VECTORDISTANCE":
        name: str = DEFAULT_DISTANCE
        if len(expr.args) == 4 and isinstance(options := expr.args[3], ast.ObjectLiteral):
            for key, value in options.pairs:
                if key == "distanceFunction" and isinstance(value, ast.Literal) and isinstance(value.value, str):
                    name = value.value.lower()
        return name != "euclidean"
    return item.descending


def _features(tree: ast.Query, aggregates: list[ast.Aggregate]) -> list[str]:
    select = tree.select
    features: list[str] = []
    value_aggregate = select.value is not None and isinstance(select.value, ast.Aggregate) and not tree.group_by
    if aggregates:
        features.append("Aggregate" if value_aggregate else "NonValueAggregate")
        if len(aggregates) > 1:
            features.append("MultipleAggregates")
    if select.distinct:
        features.append("Distinct")
    if tree.group_by:
        features.append("GroupBy")
    if tree.offset is not None:
        features.append("OffsetAndLimit")
    if tree.order_by:
        features.append("OrderBy" if len(tree.order_by) == 1 else "MultipleOrderBy")
        if any(isinstance(item.expr, ast.Call) and item.expr.name == "VECTORDISTANCE" for item in tree.order_by):
            features.append("NonStreamingOrderBy")
    if select.top is not None:
        features.append("Top")
    return features


def _order_by_rewrite(tree: ast.Query, top: int | None, offset: int | None, limit: int | None) -> str:
    select = tree.select
    alias = tree.source.alias if tree.source is not None else "root"
    keys = ast.ArrayLiteral(tuple(ast.ObjectLiteral((("item", item.expr),)) for item in tree.order_by))
    if select.star:
        payload = alias
    elif select.value is not None:
        payload = formatter.expression(select.value)
    else:
        pairs = tuple(zip(item_names(select.items), (item.expr for item in select.items), strict=True))
        payload = formatter.expression(ast.ObjectLiteral(pairs))
    head = "SELECT " + (f"TOP {top} " if top is not None else "")
    lines = [f"{head}{alias}._rid, {formatter.expression(keys)} AS orderByItems, {payload} AS payload"]
    if (from_line := formatter.from_clause(tree)) is not None:
        lines.append(from_line)
    condition = f"({ORDER_BY_FILTER})"
    if tree.where is not None:
        condition = f"({formatter.expression(tree.where)} AND {condition})"
    if select.value is not None:
        condition = f"({condition} AND IS_DEFINED({payload}))"
    lines.append(f"WHERE {condition}")
    lines.append(str(formatter.order_by_clause(tree)))
    if offset is not None and limit is not None:
        lines.append(f"OFFSET 0 LIMIT {offset + limit}")
    return "\n".join(lines)


def _rewrite(tree: ast.Query, top: int | None, offset: int | None, limit: int | None) -> str:
    select = tree.select
    if select.distinct:
        # A partition cannot cut its rows short before the SDK removes duplicates across partitions.
        top = offset = limit = None
    bound_top = ast.Literal(top) if top is not None else None
    if tree.group_by:
        keys = ast.ArrayLiteral(tuple(ast.ObjectLiteral((("item", key),)) for key in tree.group_by))
        if select.value is not None:
            payload = formatter.expression(_with_partials(select.value))
        else:
            grouped = zip(item_names(select.items), (_with_partials(item.expr) for item in select.items), strict=True)
            payload = formatter.expression(ast.ObjectLiteral(tuple(grouped)))
        head = f"SELECT {formatter.expression(keys)} AS groupByItems, {payload} AS payload"
        rest = formatter.query(dataclasses.replace(tree, offset=None, limit=None)).split("\n")[1:]
        return "\n".join([head, *rest])
    if contains_aggregate(select):
        if select.value is not None:
            value = ast.ArrayLiteral((_partial(select.value),)) if isinstance(select.value, ast.Aggregate) else None
            rewritten = ast.Select(False, bound_top, False, value or _with_partials(select.value), ())
        else:
            pairs = tuple(
                zip(item_names(select.items), (_with_partials(item.expr) for item in select.items), strict=True)
            )
            rewritten = ast.Select(
                False, bound_top, False, None, (ast.SelectItem(ast.ObjectLiteral(pairs), "payload"),)
            )
        return formatter.query(dataclasses.replace(tree, select=rewritten, offset=None, limit=None))
    if tree.order_by:
        return _order_by_rewrite(tree, top, offset, limit)
    if offset is not None and limit is not None:
        bound = dataclasses.replace(select, top=bound_top)
        return formatter.query(
            dataclasses.replace(tree, select=bound, offset=ast.Literal(0), limit=ast.Literal(offset + limit))
        )
    return ""


def plan(tree: ast.Query, parameters: Mapping[str, Any] | None = None) -> QueryPlan:
    """Plan a parsed (and already compiled, so valid) query.

    Args:
        tree: The query's syntax tree.
        parameters: Parameter values by name; TOP, OFFSET and LIMIT parameters are bound into the plan.

    Raises:
        QueryCompileError: TOP, OFFSET or LIMIT is not a non-negative integer.
    """
    params = parameters or {}
    select = tree.select
    top, offset, limit = _count(select.top, params), _count(tree.offset, params), _count(tree.limit, params)
    if tree.order_by and tree.order_by[0].rank:
        # ORDER BY RANK: the SDK's hybrid pipeline runs it from `hybridSearchQueryInfo` (no `queryInfo`).
        info = hybrid_search_info(tree, top, offset, limit, params)
        hybrid: tuple[str, ...] = (
            ("HybridSearch", "WeightedRankFusion") if info["componentWeights"] else ("HybridSearch",)
        )
        return QueryPlan({}, hybrid, value_aggregate_only=True, hybrid_search_info=info)
    aggregates = _aggregates(select)
    value_aggregate = isinstance(select.value, ast.Aggregate) and not tree.group_by
    aliases: list[str] = [] if select.value is not None or select.star else item_names(select.items)
    alias_types: dict[str, str | None] = {}
    if tree.group_by or (aggregates and not value_aggregate):
        for name, item in zip(aliases, select.items, strict=True):
            found = item.expr if isinstance(item.expr, ast.Aggregate) else None
            alias_types[name] = _OPERATORS[found.name] if found is not None else None
    order_by = list(tree.order_by)
    query_info: dict[str, Any] = {
        "distinctType": ("Ordered" if tree.order_by else "Unordered") if select.distinct else "None",
        "top": top,
        "offset": offset,
        "limit": limit,
        "orderBy": ["Descending" if _descending(item) else "Ascending" for item in order_by],
        "orderByExpressions": [formatter.expression(item.expr) for item in order_by],
        "groupByExpressions": [formatter.expression(key) for key in tree.group_by],
        "groupByAliases": aliases if alias_types else [],
        "aggregates": [_OPERATORS[node.name] for node in aggregates] if value_aggregate else [],
        "groupByAliasToAggregateType": alias_types,
        "rewrittenQuery": _rewrite(tree, top, offset, limit),
        "hasSelectValue": select.value is not None,
        "dCountInfo": None,
        "hasNonStreamingOrderBy": any(
            isinstance(item.expr, ast.Call) and item.expr.name == "VECTORDISTANCE" for item in order_by
        ),
    }
    features = tuple(_features(tree, aggregates))
    return QueryPlan(query_info, features, value_aggregate_only=not aggregates or value_aggregate)
