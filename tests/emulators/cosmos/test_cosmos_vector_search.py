"""Vector, full-text and hybrid search through the real azure-cosmos SDK (sync and aio).

Each container has several physical partitions, so a query without a partition key runs through the
SDK's own pipelines (non-streaming ORDER BY for vectors, the hybrid-search aggregator for RANK) and a
query with one runs whole in the emulator. Results are checked against `search_oracle`.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from azure.cosmos import ContainerProxy, PartitionKey, exceptions
from azure.cosmos.aio import CosmosClient as AsyncCosmosClient

from tests.emulators.cosmos.cosmos_harness import Emulator
from tests.emulators.cosmos.signed_http import signed
from tests.support import search_oracle as oracle
from tests.support.search_containers import DIMENSIONS, search_settings

WORDS = ["cat", "dog", "sun", "sea", "red", "fox", "owl", "ant", "bee", "elk"]
KEYS = ["p0", "p1", "p2", "p3", "p4", "p5"]


def _corpus(seed: int = 7, size: int = 36) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {
            "id": f"d{i:02d}",
            "pk": KEYS[i % len(KEYS)],
            "v": [round(rng.uniform(-1, 1), 4) for _ in range(DIMENSIONS)],
            "text": " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))),
        }
        for i in range(size)
    ]


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    return _corpus()


@pytest.fixture(scope="module", params=["cosine", "dotproduct", "euclidean"])
def searchable(
    request: pytest.FixtureRequest, client: Any, corpus: list[dict[str, Any]]
) -> Iterator[tuple[ContainerProxy, str]]:
    database = client.create_database(f"vec-{uuid.uuid4().hex[:8]}")
    try:
        container = database.create_container("c", PartitionKey("/pk"), **search_settings(request.param))
        assert len(list(container.read_feed_ranges())) > 1  # cross-partition queries take the SDK pipeline
        for document in corpus:
            container.create_item(document)
        yield container, request.param
    finally:
        client.delete_database(database)


def _query(container: ContainerProxy, text: str, params: dict[str, Any], pk: str | None = None) -> list[Any]:
    parameters = [{"name": name, "value": value} for name, value in params.items()]
    if pk is None:
        return list(container.query_items(text, parameters=parameters, enable_cross_partition_query=True))
    return list(container.query_items(text, parameters=parameters, partition_key=pk))


QUERY_VECTOR = [0.3, -0.2, 0.9, 0.1]
QUERY_HEADERS = {
    "x-ms-documentdb-isquery": "True",
    "content-type": "application/query+json",
    "x-ms-documentdb-query-enablecrosspartition": "True",
}


@pytest.mark.parametrize("pk", [None, "p2"], ids=["cross-partition", "one-partition"])
def test_vector_distance_follows_the_container_policy(
    searchable: tuple[ContainerProxy, str], corpus: list[dict[str, Any]], pk: str | None
) -> None:
    container, function = searchable
    rows = _query(
        container,
        "SELECT TOP 5 c.id, VectorDistance(c.v, @q) AS score FROM c ORDER BY VectorDistance(c.v, @q)",
        {"@q": QUERY_VECTOR},
        pk,
    )
    docs = [d for d in corpus if pk is None or d["pk"] == pk]
    expected = {d["id"]: oracle.distance(d["v"], QUERY_VECTOR, function) for d in docs}
    most_similar_first = function != "euclidean"
    assert [row["score"] for row in rows] == pytest.approx(oracle.top_values(expected, 5, most_similar_first))
    assert oracle.values_of([row["id"] for row in rows], expected) == pytest.approx([row["score"] for row in rows])


def test_explicit_options_override_the_policy(
    searchable: tuple[ContainerProxy, str], corpus: list[dict[str, Any]]
) -> None:
    container, _ = searchable
    rows = _query(
        container,
        "SELECT TOP 3 VALUE c.id FROM c ORDER BY VectorDistance(c.v, @q, false, {'distanceFunction': 'euclidean'})",
        {"@q": QUERY_VECTOR},
    )
    expected = {d["id"]: oracle.distance(d["v"], QUERY_VECTOR, "euclidean") for d in corpus}
    assert oracle.values_of(rows, expected) == pytest.approx(oracle.top_values(expected, 3, descending=False))


@pytest.mark.parametrize("pk", [None, "p1"], ids=["cross-partition", "one-partition"])
def test_full_text_score_ranks_by_bm25(
    searchable: tuple[ContainerProxy, str], corpus: list[dict[str, Any]], pk: str | None
) -> None:
    container, _ = searchable
    rows = _query(
        container,
        "SELECT TOP 6 c.id FROM c ORDER BY RANK FullTextScore(c.text, @a, @b)",
        {"@a": "fox", "@b": "owl"},
        pk,
    )
    # Statistics are over the documents in scope: every partition, or the one partition queried.
    docs = {d["id"]: d["text"] for d in corpus if pk is None or d["pk"] == pk}
    expected = oracle.bm25_scores(docs, ["fox", "owl"])
    assert len(rows) == min(6, len(docs))
    assert oracle.values_of([row["id"] for row in rows], expected) == pytest.approx(oracle.top_values(expected, 6))


@pytest.mark.parametrize("pk", [None, "p4"], ids=["cross-partition", "one-partition"])
def test_offset_limit_pages_a_ranking(
    searchable: tuple[ContainerProxy, str], corpus: list[dict[str, Any]], pk: str | None
) -> None:
    container, _ = searchable
    query = "SELECT VALUE c.id FROM c ORDER BY RANK FullTextScore(c.text, 'bee', 'ant') OFFSET 2 LIMIT 3"
    rows = _query(container, query, {}, pk)
    docs = {d["id"]: d["text"] for d in corpus if pk is None or d["pk"] == pk}
    expected = oracle.bm25_scores(docs, ["bee", "ant"])
    assert oracle.values_of(rows, expected) == pytest.approx(oracle.top_values(expected, 5)[2:5])


@pytest.mark.parametrize("weights", [None, [2, 1], [1, -0.5]], ids=["plain", "weighted", "negative-weight"])
@pytest.mark.parametrize("pk", [None, "p3"], ids=["cross-partition", "one-partition"])
def test_rrf_fuses_full_text_and_vector_ranks(
    searchable: tuple[ContainerProxy, str], corpus: list[dict[str, Any]], pk: str | None, weights: list[float] | None
) -> None:
    container, function = searchable
    weight_text = "" if weights is None else f", {weights}"
    query = (
        "SELECT TOP 4 c.id FROM c ORDER BY RANK "
        f"RRF(FullTextScore(c.text, 'cat', 'sea'), VectorDistance(c.v, @q){weight_text})"
    )
    rows = _query(container, query, {"@q": QUERY_VECTOR}, pk)
    docs = [d for d in corpus if pk is None or d["pk"] == pk]
    used = weights or [1, 1]
    text = oracle.bm25_scores({d["id"]: d["text"] for d in docs}, ["cat", "sea"])
    vector = {d["id"]: oracle.distance(d["v"], QUERY_VECTOR, function) for d in docs}
    vector_descending = (function != "euclidean") != (used[1] < 0)
    ranks = [oracle.dense_ranks(text, used[0] >= 0), oracle.dense_ranks(vector, vector_descending)]
    fused = oracle.rrf(ranks, used)
    assert oracle.values_of([row["id"] for row in rows], fused) == pytest.approx(oracle.top_values(fused, 4))


async def test_async_client_runs_vector_and_hybrid_queries(emulator: Emulator, corpus: list[dict[str, Any]]) -> None:
    async with AsyncCosmosClient(emulator.http, credential=emulator.key) as client:
        database = await client.create_database(f"vec-aio-{uuid.uuid4().hex[:8]}")
        try:
            container = await database.create_container("c", PartitionKey("/pk"), **search_settings("dotproduct"))
            for document in corpus:
                await container.create_item(document)
            params = [{"name": "@q", "value": QUERY_VECTOR}]
            query = "SELECT TOP 3 VALUE c.id FROM c ORDER BY VectorDistance(c.v, @q)"
            found = [row async for row in container.query_items(query, parameters=params)]
            expected = {d["id"]: oracle.distance(d["v"], QUERY_VECTOR, "dotproduct") for d in corpus}
            assert oracle.values_of(found, expected) == pytest.approx(oracle.top_values(expected, 3))
            rank = "RRF(FullTextScore(c.text, 'elk'), VectorDistance(c.v, @q))"
            hybrid = f"SELECT TOP 3 VALUE c.id FROM c ORDER BY RANK {rank}"
            fused_rows = [row async for row in container.query_items(hybrid, parameters=params)]
            text = oracle.bm25_scores({d["id"]: d["text"] for d in corpus}, ["elk"])
            fused = oracle.rrf([oracle.dense_ranks(text, True), oracle.dense_ranks(expected, True)], [1, 1])
            assert oracle.values_of(fused_rows, fused) == pytest.approx(oracle.top_values(fused, 3))
            one = [row async for row in container.query_items(query, parameters=params, partition_key="p5")]
            in_partition = {d["id"]: expected[d["id"]] for d in corpus if d["pk"] == "p5"}
            assert oracle.values_of(one, in_partition) == pytest.approx(oracle.top_values(in_partition, 3))
        finally:
            await client.delete_database(database)


# ---------------------------------------------------------------- bad input


def test_a_query_vector_of_another_dimension_scores_undefined_as_on_azure(
    searchable: tuple[ContainerProxy, str],
) -> None:
    # Azure answers it (Microsoft's test_query_vector_similarity.py sends 128 dimensions to a 2-dimension
    # policy): no row has a score, so none is projected. Checking the length is the application's job.
    container, _ = searchable
    rows = _query(
        container,
        "SELECT TOP 2 c.id, VectorDistance(c.v, @q) AS score FROM c ORDER BY VectorDistance(c.v, @q)",
        {"@q": [1.0, 2.0]},
        "p0",
    )
    assert len(rows) == 2
    assert all("score" not in row for row in rows)


def test_a_sort_order_on_vector_distance_or_rank_is_a_400(searchable: tuple[ContainerProxy, str]) -> None:
    container, _ = searchable
    queries = {
        "SELECT TOP 2 c.id FROM c ORDER BY VectorDistance(c.v, [1, 0, 0, 0]) DESC": "with VectorDistance function",
        "SELECT TOP 2 c.id FROM c ORDER BY RANK FullTextScore(c.text, 'cat') ASC": "in the ORDER BY RANK clause",
    }
    for query, message in queries.items():
        with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
            _query(container, query, {})
        assert caught.value.status_code == 400
        assert message in str(caught.value.message)


def test_full_text_score_outside_order_by_rank_is_a_400(searchable: tuple[ContainerProxy, str]) -> None:
    container, _ = searchable
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        _query(container, "SELECT FullTextScore(c.text, 'cat') AS s FROM c", {}, "p0")
    assert caught.value.status_code == 400
    assert "ORDER BY RANK" in str(caught.value.message)


# ---------------------------------------------------------------- the plans the SDK pipelines run from

PLAN_HEADERS = {
    "x-ms-cosmos-is-query-plan-request": "True",
    "x-ms-cosmos-query-version": "1.0",
    "x-ms-cosmos-supported-query-features": "OrderBy,Top,NonStreamingOrderBy,HybridSearch,WeightedRankFusion",
}


def _plan(emulator: Emulator, container: ContainerProxy, query: str) -> Any:
    link = container.container_link
    refused = signed(emulator, "POST", f"/{link}/docs", "docs", link, {"query": query}, QUERY_HEADERS)
    assert (refused.status, refused.headers["x-ms-substatus"]) == (400, "1004")
    answered = signed(emulator, "POST", f"/{link}/docs", "docs", link, {"query": query}, PLAN_HEADERS)
    assert answered.status == 200
    return answered.body


def test_vector_plans_sort_by_the_policy_distance(emulator: Emulator, searchable: tuple[ContainerProxy, str]) -> None:
    container, function = searchable
    plan = _plan(emulator, container, "SELECT TOP 3 c.id FROM c ORDER BY VectorDistance(c.v, [1, 0, 0, 0])")
    info = plan["queryInfo"]
    assert info["hasNonStreamingOrderBy"] is True
    assert info["orderBy"] == ["Ascending" if function == "euclidean" else "Descending"]
    assert f"'distanceFunction': '{function}'" in info["rewrittenQuery"].replace('"', "'")


def test_hybrid_plans_declare_what_the_sdk_aggregator_reads(
    emulator: Emulator, searchable: tuple[ContainerProxy, str]
) -> None:
    container, _ = searchable
    query = (
        "SELECT TOP 10 * FROM c ORDER BY RANK "
        "RRF(FullTextScore(c.text, 'cat'), VectorDistance(c.v, [1, 0, 0, 0]), [1, -2])"
    )
    plan = _plan(emulator, container, query)
    hybrid = plan["hybridSearchQueryInfo"]
    assert plan["queryInfo"] is None
    assert (hybrid["take"], hybrid["skip"], hybrid["requiresGlobalStatistics"]) == (10, None, True)
    assert hybrid["componentWeights"] == [1.0, 2.0]
    assert [info["orderBy"] for info in hybrid["componentQueryInfos"]] == [["Descending"], ["Ascending"]]
    assert all(info["hasNonStreamingOrderBy"] and info["top"] == 120 for info in hybrid["componentQueryInfos"])
    assert hybrid["globalStatisticsQuery"].startswith("SELECT COUNT(1) AS documentCount, [{")
    assert (
        "{documentdb-formattablehybridsearchquery-hitcountsarray-0}"
        in hybrid["componentQueryInfos"][0]["rewrittenQuery"]
    )
