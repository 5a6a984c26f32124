"""Query plans as Azure's gateway writes them (cases from the .NET SDK's QueryPlanBaselineTests)."""

from __future__ import annotations

from typing import Any

import pytest
from azure.cosmos.partition_key import PartitionKey as SdkPartitionKey

from local_emulators.cosmos.backend.models import Container
from local_emulators.cosmos.backend.query_ranges import query_ranges
from local_emulators.cosmos.query import compile_query
from local_emulators.cosmos.query.errors import QueryCompileError
from local_emulators.cosmos.query.parser import parse
from local_emulators.cosmos.query.plan import ORDER_BY_FILTER, plan

F = ORDER_BY_FILTER


@pytest.mark.parametrize(
    ("query", "rewritten"),
    [
        (
            "SELECT * FROM Root r ORDER BY r.blah",
            f'SELECT r._rid, [{{"item": r.blah}}] AS orderByItems, r AS payload\nFROM Root AS r\nWHERE ({F})\n'
            "ORDER BY r.blah",
        ),
        (
            "SELECT VALUE r.a FROM r WHERE r.d = true ORDER BY r.b",
            f'SELECT r._rid, [{{"item": r.b}}] AS orderByItems, r.a AS payload\nFROM r\n'
            f"WHERE (((r.d = true) AND ({F})) AND IS_DEFINED(r.a))\nORDER BY r.b",
        ),
        (
            "SELECT TOP 50 r[0] FROM r ORDER BY r.key",
            f'SELECT TOP 50 r._rid, [{{"item": r.key}}] AS orderByItems, {{"$1": r[0]}} AS payload\nFROM r\n'
            f"WHERE ({F})\nORDER BY r.key",
        ),
        (
            "SELECT r.field1, r.field2 FROM r ORDER BY r.field4",
            f'SELECT r._rid, [{{"item": r.field4}}] AS orderByItems, {{"field1": r.field1, "field2": r.field2}} '
            f"AS payload\nFROM r\nWHERE ({F})\nORDER BY r.field4",
        ),
        (
            "SELECT * FROM r WHERE r.key IN (1, 2, 3) ORDER BY r.key DESC",
            f'SELECT r._rid, [{{"item": r.key}}] AS orderByItems, r AS payload\nFROM r\n'
            f"WHERE ((r.key IN (1, 2, 3)) AND ({F}))\nORDER BY r.key DESC",
        ),
        ("SELECT VALUE COUNT(1) FROM c", 'SELECT VALUE [{"item": COUNT(1)}]\nFROM c'),
        ("SELECT VALUE SUM(c.blah) FROM c", 'SELECT VALUE [{"item": SUM(c.blah)}]\nFROM c'),
        (
            "SELECT VALUE AVG(c.blah) FROM c",
            'SELECT VALUE [{"item": {"sum": SUM(c.blah), "count": COUNT(c.blah)}}]\nFROM c',
        ),
        (
            "SELECT VALUE MIN(c.blah + 1) FROM c",
            'SELECT VALUE [{"item": MIN((c.blah + 1)), "item2": {"min": MIN((c.blah + 1)), '
            '"count": COUNT((c.blah + 1))}}]\nFROM c',
        ),
        (
            "SELECT VALUE MIN(c.blah) FROM c WHERE c.key = 1",
            'SELECT VALUE [{"item": MIN(c.blah), "item2": {"min": MIN(c.blah), "count": COUNT(c.blah)}}]\nFROM c\n'
            "WHERE (c.key = 1)",
        ),
        ("SELECT * FROM c WHERE c.blah = 5 OFFSET 1 LIMIT 2", "SELECT *\nFROM c\nWHERE (c.blah = 5)\nOFFSET 0 LIMIT 3"),
        (
            "SELECT DISTINCT VALUE c.blah FROM c ORDER BY c.blah",
            f'SELECT c._rid, [{{"item": c.blah}}] AS orderByItems, c.blah AS payload\nFROM c\n'
            f"WHERE (({F}) AND IS_DEFINED(c.blah))\nORDER BY c.blah",
        ),
        ("SELECT DISTINCT c.blah FROM c", ""),
        # With DISTINCT no partition may cut its rows short: duplicates go only after the merge.
        (
            'SELECT DISTINCT c["value"] FROM c ORDER BY c.pk OFFSET 0 LIMIT 2',
            f'SELECT c._rid, [{{"item": c.pk}}] AS orderByItems, {{"value": c["value"]}} AS payload\nFROM c\n'
            f"WHERE ({F})\nORDER BY c.pk",
        ),
        ("SELECT TOP 3 * FROM c", ""),
        ("SELECT c.id FROM c WHERE c.n > 1", ""),
        (
            "SELECT c.name FROM c WHERE c.key = 5 GROUP BY c.name",
            'SELECT [{"item": c.name}] AS groupByItems, {"name": c.name} AS payload\nFROM c\nWHERE (c.key = 5)\n'
            "GROUP BY c.name",
        ),
    ],
)
def test_rewritten_query_matches_azure(query: str, rewritten: str) -> None:
    assert plan(parse(query)).query_info["rewrittenQuery"] == rewritten


def test_query_info_of_an_ordered_distinct_top_query() -> None:
    info = plan(parse("SELECT DISTINCT TOP 4 VALUE c.g FROM c ORDER BY c.g DESC, c.n")).query_info
    assert info["distinctType"] == "Ordered"
    assert (info["top"], info["offset"], info["limit"]) == (4, None, None)
    assert info["orderBy"] == ["Descending", "Ascending"]
    assert info["orderByExpressions"] == ["c.g", "c.n"]
    assert info["hasSelectValue"] is True
    assert info["aggregates"] == []
    assert info["hasNonStreamingOrderBy"] is False
    expected_keys = {
        "distinctType", "top", "offset", "limit", "orderBy", "orderByExpressions", "groupByExpressions",
        "groupByAliases", "aggregates", "groupByAliasToAggregateType", "rewrittenQuery", "hasSelectValue",
        "dCountInfo", "hasNonStreamingOrderBy",
    }  # fmt: skip
    assert set(info) == expected_keys


def test_parameters_of_top_offset_and_limit_are_bound_into_the_plan() -> None:
    query = "SELECT * FROM c OFFSET @o LIMIT @l"
    info = plan(parse(query), {"@o": 42, "@l": 1337}).query_info
    assert (info["offset"], info["limit"]) == (42, 1337)
    assert info["rewrittenQuery"].endswith("OFFSET 0 LIMIT 1379")
    with pytest.raises(QueryCompileError):
        plan(parse(query), {"@o": -1, "@l": 2})


def test_aggregates_and_group_by_in_the_plan() -> None:
    value = plan(parse("SELECT VALUE AVG(c.n) FROM c"))
    assert value.query_info["aggregates"] == ["Average"]
    assert value.features == ("Aggregate",)
    assert value.value_aggregate_only
    grouped = plan(parse("SELECT c.g, COUNT(1) AS n, MAX(c.n) AS most FROM c GROUP BY c.g"))
    assert grouped.query_info["groupByExpressions"] == ["c.g"]
    assert grouped.query_info["groupByAliases"] == ["g", "n", "most"]
    assert grouped.query_info["groupByAliasToAggregateType"] == {"g": None, "n": "Count", "most": "Max"}
    assert set(grouped.features) == {"NonValueAggregate", "MultipleAggregates", "GroupBy"}
    assert not grouped.value_aggregate_only
    bare = plan(parse("SELECT AVG(c.blah) FROM c"))
    assert bare.query_info["groupByAliasToAggregateType"] == {"$1": "Average"}
    assert bare.query_info["rewrittenQuery"] == (
        'SELECT {"$1": {"item": {"sum": SUM(c.blah), "count": COUNT(c.blah)}}} AS payload\nFROM c'
    )


@pytest.mark.parametrize(
    ("query", "features"),
    [
        ("SELECT * FROM c", ()),
        ("SELECT * FROM c WHERE c.a IN (1, 2) AND c.b LIKE 'x%'", ()),
        ("SELECT TOP 1 * FROM c", ("Top",)),
        ("SELECT DISTINCT VALUE c.a FROM c", ("Distinct",)),
        ("SELECT * FROM c ORDER BY c.a", ("OrderBy",)),
        ("SELECT * FROM c ORDER BY c.a, c.b", ("MultipleOrderBy",)),
        ("SELECT * FROM c OFFSET 1 LIMIT 1", ("OffsetAndLimit",)),
        ("SELECT c.a FROM c GROUP BY c.a", ("GroupBy",)),
        ("SELECT TOP 2 c.id FROM c ORDER BY VectorDistance(c.e, [1, 2])", ("OrderBy", "NonStreamingOrderBy", "Top")),
    ],
)
def test_features_a_client_must_support(query: str, features: tuple[str, ...]) -> None:
    assert plan(parse(query)).features == features


def test_vector_distance_orders_most_similar_first_in_the_plan() -> None:
    info = plan(parse("SELECT TOP 2 c.id FROM c ORDER BY VectorDistance(c.e, [1, 2])")).query_info
    assert info["orderBy"] == ["Descending"]
    assert info["hasNonStreamingOrderBy"] is True
    euclid = "SELECT TOP 2 c.id FROM c ORDER BY VectorDistance(c.e, [1, 2], false, {'distanceFunction': 'euclidean'})"
    assert plan(parse(euclid)).query_info["orderBy"] == ["Ascending"]


def _rows(query: str, docs: list[dict[str, Any]]) -> list[Any]:
    return compile_query(query.replace(F, "true")).run(docs)


def test_rewritten_queries_run_on_the_engine_as_a_partition_would() -> None:
    docs = [{"id": str(n), "_rid": f"r{n}", "n": n, "g": n % 2} for n in range(5)]
    ordered = _rows(plan(parse("SELECT c.id FROM c ORDER BY c.n DESC")).query_info["rewrittenQuery"], docs)
    assert [row["payload"]["id"] for row in ordered] == ["4", "3", "2", "1", "0"]
    assert ordered[0]["orderByItems"] == [{"item": 4}]
    assert ordered[0]["_rid"] == "r4"
    (average,) = _rows(plan(parse("SELECT VALUE AVG(c.n) FROM c")).query_info["rewrittenQuery"], docs)
    assert average == [{"item": {"sum": 10, "count": 5}}]
    (minimum,) = _rows(plan(parse("SELECT VALUE MIN(c.n) FROM c WHERE c.n > 9")).query_info["rewrittenQuery"], docs)
    assert minimum == [{"item2": {"count": 0}}]  # an empty partition has no "item": the SDK skips it


def _keyed(paths: list[str], kind: str = "Hash") -> Container:
    body = {"id": "c", "_rid": "AAAAAA==", "_self": "dbs/x/colls/y/", "partitionKey": {"paths": paths, "kind": kind}}
    return Container(rid="AAAAAA==", db_id="d", id="c", body=body)


def test_query_ranges_are_the_epks_a_filter_pins() -> None:
    container, sdk = _keyed(["/pk"]), SdkPartitionKey(path="/pk", kind="Hash", version=2)

    def point(value: Any) -> dict[str, Any]:
        epk = sdk._get_effective_partition_key_string([value])
        return {"min": epk, "max": epk, "isMinInclusive": True, "isMaxInclusive": True}

    def ranges(query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return query_ranges(parse(query), container, params or {})

    assert ranges("SELECT * FROM c WHERE c.pk = 'a' ORDER BY c.n") == [point("a")]
    assert ranges("SELECT * FROM r WHERE r.n > 1 AND @v = r.pk", {"@v": 5}) == [point(5)]
    assert ranges("SELECT * FROM c WHERE c.pk IN ('a', 'b')") == sorted([point("a"), point("b")], key=str)
    full = [{"min": "", "max": "FF", "isMinInclusive": True, "isMaxInclusive": False}]
    for unpinned in (
        "SELECT * FROM c",
        "SELECT * FROM c WHERE c.pk > 'a'",
        "SELECT * FROM c WHERE c.pk = 'a' OR c.n = 1",
    ):
        assert ranges(unpinned) == full
    nested = _keyed(["/t", "/u"], "MultiHash")
    both = query_ranges(parse("SELECT * FROM c WHERE c.t = 'x' AND c.u = 'y'"), nested, {})
    multi = SdkPartitionKey(path=["/t", "/u"], kind="MultiHash", version=2)
    assert [r["min"] for r in both] == [multi._get_effective_partition_key_string(["x", "y"])]
    assert query_ranges(parse("SELECT * FROM c WHERE c.t = 'x'"), nested, {}) == full
