"""Several physical partitions through the real SDK: its own cross-partition pipeline, feed ranges, tokens.

Each cross-partition result is compared with the same query evaluated over all documents at once by the
emulator's query engine, which is what a single-partition container would answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from azure.core.paging import PageIterator
from azure.cosmos import ContainerProxy, CosmosClient, DatabaseProxy, PartitionKey, exceptions
from azure.cosmos.aio import CosmosClient as AsyncCosmosClient

from local_emulators.cosmos.backend.partitioning import split_boundaries
from local_emulators.cosmos.query import compile_query
from tests.emulators.cosmos.cosmos_harness import Emulator, start_emulator
from tests.emulators.cosmos.signed_http import signed

DOCS = 40
QUERY_HEADERS = {
    "x-ms-documentdb-isquery": "True",
    "content-type": "application/query+json",
    "x-ms-documentdb-query-enablecrosspartition": "True",
}


def _document(index: int) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": f"d{index:02d}", "pk": f"k{index % 11}", "n": index, "g": index % 4}
    doc["s"] = f"s{(index * 7) % 13:02d}"
    if index % 5:
        doc["opt"] = index * 10
    return doc


@pytest.fixture(scope="module")
def filled(client: CosmosClient) -> Iterator[tuple[ContainerProxy, list[dict[str, Any]]]]:
    database = client.create_database("partitions-module")
    try:
        container = database.create_container("c", PartitionKey("/pk"))
        for index in range(DOCS):
            container.create_item(_document(index))
        yield container, list(container.read_all_items())
    finally:
        client.delete_database(database)


def _expected(query: str, docs: list[dict[str, Any]], params: dict[str, Any] | None = None) -> list[Any]:
    return compile_query(query).run(docs, params or {})


def _canonical(rows: list[Any]) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True) for row in rows)


ORDERED = [
    "SELECT VALUE c.n FROM c ORDER BY c.n DESC",
    "SELECT c.id, c.g FROM c ORDER BY c.g DESC, c.n",
    "SELECT * FROM c ORDER BY c.s, c.n",
    "SELECT VALUE c.opt FROM c ORDER BY c.n",
    "SELECT c.id, c.opt FROM c WHERE c.g != 2 ORDER BY c.n DESC",
    "SELECT DISTINCT VALUE c.g FROM c ORDER BY c.g DESC",
    "SELECT VALUE c.n FROM c ORDER BY c.n OFFSET 5 LIMIT 7",
    "SELECT TOP 6 c.id FROM c ORDER BY c.n DESC",
    "SELECT VALUE COUNT(1) FROM c",
    "SELECT VALUE COUNT(c.opt) FROM c WHERE c.n > 10",
    "SELECT VALUE SUM(c.n) FROM c",
    "SELECT VALUE AVG(c.opt) FROM c",
    "SELECT VALUE MIN(c.s) FROM c",
    "SELECT VALUE MAX(c.n) FROM c WHERE c.g = 1",
    # The plan names only these keys' EPKs (point ranges), so the SDK asks only their partitions.
    "SELECT c.id FROM c WHERE c.pk IN ('k1', 'k2', 'k9') ORDER BY c.n DESC",
    "SELECT VALUE COUNT(1) FROM c WHERE c.pk = 'k3'",
]


@pytest.mark.parametrize("query", ORDERED)
def test_cross_partition_results_equal_a_single_partition_evaluation(
    filled: tuple[ContainerProxy, list[dict[str, Any]]], query: str
) -> None:
    container, docs = filled
    rows = list(container.query_items(query, enable_cross_partition_query=True, max_item_count=3))
    assert rows == _expected(query, docs)


@pytest.mark.parametrize(
    "query",
    ["SELECT c.id FROM c WHERE c.g = 1", "SELECT DISTINCT VALUE c.g FROM c", "SELECT c.id, c.opt FROM c"],
)
def test_unordered_queries_return_the_same_rows(
    filled: tuple[ContainerProxy, list[dict[str, Any]]], query: str
) -> None:
    container, docs = filled
    rows = list(container.query_items(query, enable_cross_partition_query=True, max_item_count=4))
    assert _canonical(rows) == _canonical(_expected(query, docs))


def test_the_gateway_answers_one_partition_per_round_trip(
    filled: tuple[ContainerProxy, list[dict[str, Any]]],
) -> None:
    container, docs = filled
    calls: list[int] = []
    rows = list(
        container.query_items(
            "SELECT c.id FROM c", enable_cross_partition_query=True, response_hook=lambda _h, _r: calls.append(1)
        )
    )
    assert len(rows) == len(docs)
    assert len(calls) == 5  # as Azure's gateway: one page per partition, the SDK skipping empty ones


def test_parameters_bind_into_the_plan(filled: tuple[ContainerProxy, list[dict[str, Any]]]) -> None:
    container, docs = filled
    query = "SELECT VALUE c.n FROM c WHERE c.n >= @low ORDER BY c.n OFFSET @skip LIMIT @take"
    params = {"@low": 7, "@skip": 2, "@take": 5}
    bound = [{"name": k, "value": v} for k, v in params.items()]
    rows = list(container.query_items(query, parameters=bound, max_item_count=2, enable_cross_partition_query=True))
    assert rows == _expected(query, docs, params) == [9, 10, 11, 12, 13]
    # Without the flag the sync SDK sends no cross-partition header, and the gateway refuses.
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        list(container.query_items(query, parameters=bound))
    assert caught.value.status_code == 400
    assert "Cross partition query is required but disabled" in str(caught.value.message)


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("SELECT COUNT(1) AS n FROM c", "only supports 'VALUE <AggregateFunc>'"),
        ("SELECT c.g, COUNT(1) AS n FROM c GROUP BY c.g", "only supports 'VALUE <AggregateFunc>'"),
        ("SELECT c.g FROM c GROUP BY c.g", "Query contained GroupBy, which the calling client does not support"),
    ],
)
def test_queries_azure_refuses_across_partitions_are_refused(
    filled: tuple[ContainerProxy, list[dict[str, Any]]], query: str, text: str
) -> None:
    container, _ = filled
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        list(container.query_items(query, enable_cross_partition_query=True))
    assert caught.value.status_code == 400
    assert text in str(caught.value.message)
    # Within one partition the backend runs the same query.
    assert list(container.query_items(query, partition_key="k1"))


def test_the_gateway_refusal_and_plan_on_the_wire(
    emulator: Emulator, filled: tuple[ContainerProxy, list[dict[str, Any]]]
) -> None:
    container, _ = filled
    link = f"dbs/partitions-module/colls/{container.id}"
    body = {"query": "SELECT VALUE c.n FROM c ORDER BY c.n"}
    refused = signed(emulator, "POST", f"/{link}/docs", "docs", link, body, QUERY_HEADERS)
    assert (refused.status, refused.headers["x-ms-substatus"]) == (400, "1004")
    embedded = json.loads(refused.body["additionalErrorInfo"])
    plan_headers = {"x-ms-cosmos-is-query-plan-request": "True", "x-ms-cosmos-query-version": "1.0"}
    features = {"x-ms-cosmos-supported-query-features": "Aggregate,Distinct,OrderBy,Top,OffsetAndLimit"}
    answered = signed(emulator, "POST", f"/{link}/docs", "docs", link, body, {**plan_headers, **features})
    assert answered.status == 200
    assert answered.body == embedded
    assert answered.body["partitionedQueryExecutionInfoVersion"] == 2
    assert answered.body["queryRanges"] == [{"min": "", "max": "FF", "isMinInclusive": True, "isMaxInclusive": False}]
    info = answered.body["queryInfo"]
    assert (info["orderBy"], info["orderByExpressions"], info["hasSelectValue"]) == (["Ascending"], ["c.n"], True)
    assert info["rewrittenQuery"].startswith('SELECT c._rid, [{"item": c.n}] AS orderByItems, c.n AS payload\n')
    without = signed(emulator, "POST", f"/{link}/docs", "docs", link, body, plan_headers)
    assert without.status == 400
    assert "Query contained OrderBy" in without.body["message"]


def test_a_range_that_is_gone_is_410_so_the_sdk_refreshes_its_map(
    emulator: Emulator, filled: tuple[ContainerProxy, list[dict[str, Any]]]
) -> None:
    container, _ = filled
    link = f"dbs/partitions-module/colls/{container.id}"
    gone = {**QUERY_HEADERS, "x-ms-documentdb-partitionkeyrangeid": "17"}
    answer = signed(emulator, "POST", f"/{link}/docs", "docs", link, {"query": "SELECT * FROM c"}, gone)
    assert (answer.status, answer.headers["x-ms-substatus"]) == (410, "1002")


def test_ranges_split_the_epk_space_and_hold_the_documents_of_their_keys(
    filled: tuple[ContainerProxy, list[dict[str, Any]]],
) -> None:
    container, docs = filled
    ranges = [r["Range"] for r in container.read_feed_ranges()]
    assert [r["min"] for r in ranges[1:]] == split_boundaries(5)
    assert ranges[0]["min"] == ""
    assert ranges[-1]["max"] == "FF"
    sdk_key = PartitionKey("/pk")
    seen: list[str] = []
    for feed_range, bounds in zip(container.read_feed_ranges(), ranges, strict=True):
        ids = [row["id"] for row in container.query_items("SELECT c.id, c.pk FROM c", feed_range=feed_range)]
        for row in container.query_items("SELECT c.pk FROM c", feed_range=feed_range):
            epk = sdk_key._get_effective_partition_key_string([row["pk"]])
            assert bounds["min"] <= epk
            assert bounds["max"] == "FF" or epk < bounds["max"]
        counts: list[Any] = list(container.query_items("SELECT VALUE COUNT(1) FROM c", feed_range=feed_range))
        assert counts == [len(ids)]
        seen.extend(ids)
    assert sorted(seen) == sorted(doc["id"] for doc in docs)


def test_change_feed_per_range_covers_every_item_once(filled: tuple[ContainerProxy, list[dict[str, Any]]]) -> None:
    container, docs = filled
    per_range: list[list[str]] = []
    for feed_range in container.read_feed_ranges():
        changes = [
            doc["id"] for doc in container.query_items_change_feed(feed_range=feed_range, start_time="Beginning")
        ]
        queried = [row["id"] for row in container.query_items("SELECT c.id FROM c", feed_range=feed_range)]
        assert sorted(changes) == sorted(queried)
        per_range.append(changes)
    assert sorted(id_ for ids in per_range for id_ in ids) == sorted(doc["id"] for doc in docs)
    assert sum(1 for ids in per_range if ids) > 1


def test_feed_range_change_feed_resumes_from_its_continuation(database: DatabaseProxy) -> None:
    container = database.create_container("resume", PartitionKey("/pk"))
    for index in range(12):
        container.create_item({"id": f"a{index}", "pk": f"k{index}"})
    ranges = list(container.read_feed_ranges())
    first = max(ranges, key=lambda r: len(list(container.query_items("SELECT c.id FROM c", feed_range=r))))
    pages = container.query_items_change_feed(feed_range=first, start_time="Beginning").by_page()
    before = [doc["id"] for page in pages for doc in page]
    token = cast(PageIterator[Any], pages).continuation_token
    for index in range(12, 24):
        container.create_item({"id": f"a{index}", "pk": f"k{index}"})
    after = [doc["id"] for doc in container.query_items_change_feed(continuation=token)]
    in_range = [row["id"] for row in container.query_items("SELECT c.id FROM c", feed_range=first)]
    assert before
    assert after
    assert sorted(before + after) == sorted(in_range)
    assert not set(before) & set(after)


def test_gateway_continuation_is_azure_json_and_survives_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    running = start_emulator(data, "--partitions", "5")
    query = "SELECT c.id FROM c WHERE c.n >= 0"
    try:
        client = CosmosClient(running.http, credential=running.key)
        container = client.create_database("restart").create_container("c", PartitionKey("/pk"))
        for index in range(30):
            container.create_item({"id": f"r{index:02d}", "pk": f"k{index % 9}", "n": index})
        pager = container.query_items(query, enable_cross_partition_query=True, max_item_count=7).by_page()
        first = [row["id"] for row in next(pager)]
        token = cast(PageIterator[Any], pager).continuation_token
        scoped = container.query_items(query, partition_key="k1", max_item_count=1).by_page()
        next(scoped)
        scoped_token = cast(PageIterator[Any], scoped).continuation_token
        feed_range = container.feed_range_from_partition_key("k2")
        changes = container.query_items_change_feed(feed_range=feed_range, start_time="Beginning").by_page()
        seen = [doc["id"] for page in changes for doc in page]
        feed_token = cast(PageIterator[Any], changes).continuation_token
        container.upsert_item({"id": "r02", "pk": "k2", "n": 2, "changed": True})
        widest = next(iter(container.read_feed_ranges()))
        in_range = sorted(row["id"] for row in container.query_items(query, feed_range=widest))
        ranged = container.query_items(query, feed_range=widest, max_item_count=2).by_page()
        ranged_first = [row["id"] for row in next(ranged)]
        ranged_token = cast(PageIterator[Any], ranged).continuation_token
    finally:
        running.process.stop()
    assert token is not None
    assert scoped_token is not None
    position = json.loads(token)
    assert set(position) == {"token", "range"}
    assert set(position["range"]) == {"min", "max"}
    assert scoped_token.startswith("+RID:~")
    assert "#RT:1#TRC:1#" in scoped_token
    restarted = start_emulator(data, "--partitions", "5", port=running.port)
    try:
        client = CosmosClient(restarted.http, credential=restarted.key)
        container = client.get_database_client("restart").get_container_client("c")
        pages = container.query_items(query, enable_cross_partition_query=True, max_item_count=7).by_page(token)
        rest = [row["id"] for page in pages for row in page]
        scoped_rest = [
            row["id"]
            for page in container.query_items(query, partition_key="k1", max_item_count=1).by_page(scoped_token)
            for row in page
        ]
        later = list(container.query_items_change_feed(continuation=feed_token))
        resumed = container.query_items(query, feed_range=widest, max_item_count=2).by_page(ranged_token)
        ranged_rest = [row["id"] for page in resumed for row in page]
    finally:
        restarted.process.stop()
    assert 0 < len(first) <= 7  # a gateway page never mixes partitions
    assert sorted(first + rest) == [f"r{index:02d}" for index in range(30)]
    assert scoped_rest == ["r10", "r19", "r28"]
    assert seen == ["r02", "r11", "r20", "r29"]
    assert [(doc["id"], doc.get("changed")) for doc in later] == [("r02", True)]
    assert len(in_range) > 2  # the SDK's feed-range token wraps the partition's, and both survive
    assert sorted(ranged_first + ranged_rest) == in_range


def test_partition_count_is_a_command_line_setting(tmp_path: Path) -> None:
    running = start_emulator(tmp_path / "data", "--partitions", "2", "--in-memory")
    try:
        client = CosmosClient(running.http, credential=running.key)
        database = client.create_database("two")
        small = database.create_container("small", PartitionKey("/pk"))
        big = database.create_container("big", PartitionKey("/pk"), offer_throughput=30000)
        assert len(list(small.read_feed_ranges())) == 2
        assert len(list(big.read_feed_ranges())) == 5  # Azure: one partition per 6,000 RU/s
        for index in range(10):
            small.create_item({"id": str(index), "pk": f"k{index}", "n": index})
        rows: list[Any] = list(
            small.query_items("SELECT VALUE c.n FROM c ORDER BY c.n DESC", enable_cross_partition_query=True)
        )
        assert rows == list(range(9, -1, -1))
    finally:
        running.process.stop()


async def test_async_client_runs_the_same_pipeline(
    emulator: Emulator, filled: tuple[ContainerProxy, list[dict[str, Any]]]
) -> None:
    _, docs = filled
    async with AsyncCosmosClient(emulator.http, credential=emulator.key) as client:
        container = client.get_database_client("partitions-module").get_container_client("c")
        for query in ("SELECT VALUE c.n FROM c ORDER BY c.n DESC", "SELECT VALUE AVG(c.n) FROM c"):
            rows = [row async for row in container.query_items(query, max_item_count=5)]
            assert rows == _expected(query, docs)
        seen = []
        async for feed_range in container.read_feed_ranges():
            seen += [
                d["id"] async for d in container.query_items_change_feed(feed_range=feed_range, start_time="Beginning")
            ]
        assert sorted(seen) == sorted(doc["id"] for doc in docs)
        with pytest.raises(exceptions.CosmosHttpResponseError):
            [row async for row in container.query_items("SELECT c.g FROM c GROUP BY c.g")]
