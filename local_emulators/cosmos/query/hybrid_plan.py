"""The `hybridSearchQueryInfo` of a query plan: how the SDK runs `ORDER BY RANK` across partitions.

Shape as in Azure's plans (the .NET SDK's QueryPlanBaselineTests) and as the azure-cosmos SDK's
`_execution_context/hybrid_search_aggregator.py` consumes it:
- `globalStatisticsQuery`: per partition, the document count and, per full-text component, the total
  word count and each term's document count; the SDK sums them over the partitions;
- `componentQueryInfos`: one non-streaming ORDER BY query per component, returning
  `{"_rid", "orderByItems", "payload": {"payload": <row>, "componentScores": [...]}}` rows; the SDK puts the
  summed statistics into the `{documentdb-formattablehybridsearchquery-...}` placeholders, fuses the
  components with RRF (`componentWeights`, an ascending order for a negative weight) and applies
  `skip`/`take`.
Each component query asks a partition for `max(120, 12 * (skip + take))` rows (Azure asks 120 for TOP 10).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from local_emulators.cosmos.query import ast, formatter
from local_emulators.cosmos.query.errors import QueryCompileError
from local_emulators.cosmos.query.projection import item_names
from local_emulators.cosmos.query.ranking import Component, components, missing_score, term_values, weight_values

ORDER_BY_FILTER = "{documentdb-formattableorderbyquery-filter}"
TOTAL_DOCUMENTS = "{documentdb-formattablehybridsearchquery-totaldocumentcount}"


def _number(value: float) -> str:
    # Azure writes the largest double as 1.79769e+308 and the text score default as -1 or 1.
    return f"{value:.5e}" if abs(value) > 1e300 else f"{value:g}"


def _value(node: ast.Expr, parameters: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Param):
        return parameters.get(node.name)
    if isinstance(node, ast.Literal):
        return node.value
    if isinstance(node, ast.Unary) and node.op == "-" and isinstance(node.operand, ast.Literal):
        return -node.operand.value
    if isinstance(node, ast.ArrayLiteral):
        return [_value(item, parameters) for item in node.items]
    raise QueryCompileError("FullTextScore terms and RRF weights must be literals or parameters")


def _terms(component: Component, parameters: Mapping[str, Any]) -> list[str]:
    terms = term_values([_value(term, parameters) for term in component.terms])
    if terms is None:
        raise QueryCompileError("FullTextScore terms must be strings (or one array of strings)")
    return terms


def _score_text(component: Component, index: int, parameters: Mapping[str, Any]) -> str:
    field = formatter.expression(component.field)
    if component.full_text:
        terms = formatter.expression(ast.ArrayLiteral(tuple(ast.Literal(t) for t in _terms(component, parameters))))
        words = f"{{documentdb-formattablehybridsearchquery-totalwordcount-{index}}}"
        hits = f"{{documentdb-formattablehybridsearchquery-hitcountsarray-{index}}}"
        return f"_FullTextScore({field}, {terms}, {TOTAL_DOCUMENTS}, {words}, {hits})"
    args = ", ".join(formatter.expression(arg) for arg in component.call.args)
    return f"_VectorScore({args})"


def _payload(tree: ast.Query, alias: str) -> str:
    select = tree.select
    if select.star:
        return alias
    if select.value is not None:
        return formatter.expression(select.value)
    pairs = tuple(zip(item_names(select.items), (item.expr for item in select.items), strict=True))
    return formatter.expression(ast.ObjectLiteral(pairs))


def _statistics_query(tree: ast.Query, texts: list[Component], parameters: Mapping[str, Any]) -> str:
    parts = []
    for component in texts:
        field = formatter.expression(component.field)
        hits = ", ".join(
            f"COUNTIF(FullTextContains({field}, {formatter.expression(ast.Literal(term))}))"
            for term in _terms(component, parameters)
        )
        parts.append(f'{{"totalWordCount": SUM(_FullTextWordCount({field})), "hitCounts": [{hits}]}}')
    return (
        f"SELECT COUNT(1) AS documentCount, [{', '.join(parts)}] AS fullTextStatistics\n{formatter.from_clause(tree)}"
    )


def hybrid_search_info(
    tree: ast.Query, top: int | None, offset: int | None, limit: int | None, parameters: Mapping[str, Any]
) -> dict[str, Any]:
    """The plan's `hybridSearchQueryInfo` for a query ordered by RANK.

    Raises:
        QueryCompileError: The RANK expression or its terms/weights cannot be planned.
    """
    found, weights_expr = components(tree.order_by[0].expr)
    weights = (
        [1.0] * len(found) if weights_expr is None else weight_values(_value(weights_expr, parameters), len(found))
    )
    take = top if top is not None else limit
    skip = offset
    component_top = max(120, 12 * ((skip or 0) + (take or 0)))
    alias = tree.source.alias if tree.source is not None else "root"
    scores = [_score_text(component, index, parameters) for index, component in enumerate(found)]
    # BM25 and _VectorScore both grow with relevance, so each component sorts descending unless its weight
    # is negative (Azure's plans: "Ascending" and the weight's absolute value).
    descending = [weight >= 0 for weight in weights]
    defaults = [
        _number(missing_score(component.full_text, direction))
        for component, direction in zip(found, descending, strict=True)
    ]
    component_scores = ", ".join(f"({score} ?? {default})" for score, default in zip(scores, defaults, strict=True))
    condition = f"({ORDER_BY_FILTER})"
    if tree.where is not None:
        condition = f"({formatter.expression(tree.where)} AND {condition})"
    infos = []
    for score, direction in zip(scores, descending, strict=True):
        rewritten = "\n".join(
            [
                f'SELECT TOP {component_top} {alias}._rid, [{{"item": {score}}}] AS orderByItems, '
                f'{{"payload": {_payload(tree, alias)}, "componentScores": [{component_scores}]}} AS payload',
                str(formatter.from_clause(tree)),
                f"WHERE {condition}",
                f"ORDER BY {score} {'DESC' if direction else 'ASC'}",
            ]
        )
        infos.append(
            {
                "distinctType": "None",
                "top": component_top,
                "offset": None,
                "limit": None,
                "orderBy": ["Descending" if direction else "Ascending"],
                "orderByExpressions": [score],
                "groupByExpressions": [],
                "groupByAliases": [],
                "aggregates": [],
                "groupByAliasToAggregateType": {},
                "rewrittenQuery": rewritten,
                "hasSelectValue": tree.select.value is not None,
                "dCountInfo": None,
                "hasNonStreamingOrderBy": True,
            }
        )
    texts = [component for component in found if component.full_text]
    return {
        "globalStatisticsQuery": _statistics_query(tree, texts, parameters),
        "componentQueryInfos": infos,
        "componentWithoutPayloadQueryInfos": [],
        "projectionQueryInfo": None,
        "componentWeights": [] if weights_expr is None else [abs(weight) for weight in weights],
        "skip": skip,
        "take": take,
        "requiresGlobalStatistics": bool(texts),
    }
