"""SDK-level queries: paging, continuation tokens (also across a restart), cross-partition, parameters, 400s."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from azure.core.paging import PageIterator
from azure.cosmos import ContainerProxy, CosmosClient, PartitionKey, exceptions

from tests.emulators.cosmos.cosmos_harness import start_emulator


def _fill(container: ContainerProxy, count: int, partitions: int = 3) -> None:
    for index in range(count):
        container.create_item(
            {"id": f"i{index:03d}", "pk": f"p{index % partitions}", "n": index, "even": index % 2 == 0}
        )


def test_single_partition_query_with_parameters(container: ContainerProxy) -> None:
    _fill(container, 12)
    rows: list[Any] = list(
        container.query_items(
            "SELECT VALUE c.n FROM c WHERE c.n >= @low ORDER BY c.n DESC",
            parameters=[{"name": "@low", "value": 3}],
            partition_key="p0",
        )
    )
    assert rows == [9, 6, 3]


def test_cross_partition_order_by_several_fields(container: ContainerProxy) -> None:
    _fill(container, 9)
    rows: list[Any] = list(
        container.query_items(
            "SELECT c.id, c.even FROM c ORDER BY c.even DESC, c.n ASC", enable_cross_partition_query=True
        )
    )
    assert [r["id"] for r in rows] == ["i000", "i002", "i004", "i006", "i008", "i001", "i003", "i005", "i007"]


def test_aggregates_and_group_by(container: ContainerProxy) -> None:
    _fill(container, 10)
    counts: list[Any] = list(container.query_items("SELECT VALUE COUNT(1) FROM c", enable_cross_partition_query=True))
    assert counts == [10]
    assert list(container.query_items("SELECT COUNT(1) AS n FROM c", partition_key="p1")) == [{"n": 3}]
    grouped = list(container.query_items("SELECT c.pk, SUM(c.n) AS total FROM c GROUP BY c.pk", partition_key="p1"))
    assert grouped == [{"pk": "p1", "total": 12}]
    # Across partitions Azure's gateway refuses aggregates without VALUE (GROUP BY included).
    for query in ("SELECT COUNT(1) AS n FROM c", "SELECT c.pk, SUM(c.n) AS total FROM c GROUP BY c.pk"):
        with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
            list(container.query_items(query, enable_cross_partition_query=True))
        assert caught.value.status_code == 400


def test_paging_returns_every_row_once(container: ContainerProxy) -> None:
    _fill(container, 25)
    pages = list(
        container.query_items(
            "SELECT VALUE c.n FROM c ORDER BY c.n", enable_cross_partition_query=True, max_item_count=10
        ).by_page()
    )
    sizes = [len(list(page)) for page in pages]
    assert sizes == [10, 10, 5]


def test_continuation_token_resumes(container: ContainerProxy) -> None:
    # One partition: the SDK's pipeline for cross-partition ORDER BY cannot resume from a token (nor on Azure).
    _fill(container, 7, partitions=1)
    query = "SELECT VALUE c.n FROM c ORDER BY c.n"
    pager = container.query_items(query, partition_key="p0", max_item_count=3).by_page()
    first: list[Any] = list(next(pager))
    token = cast(PageIterator[Any], pager).continuation_token
    assert first == [0, 1, 2]
    assert token
    rest = container.query_items(query, partition_key="p0", max_item_count=3).by_page(token)
    remaining: list[Any] = [n for page in rest for n in page]
    assert remaining == [3, 4, 5, 6]


def test_continuation_survives_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    running = start_emulator(data, "--partitions", "5")
    query = "SELECT c.id FROM c WHERE c.n > 0 ORDER BY c.n DESC OFFSET 1 LIMIT 20"
    try:
        client = CosmosClient(running.http, credential=running.key)
        container = client.create_database("restart").create_container("c", PartitionKey("/pk"))
        _fill(container, 12, partitions=1)
        pager = container.query_items(query, partition_key="p0", max_item_count=4).by_page()
        first = [row["id"] for row in next(pager)]
        token = cast(PageIterator[Any], pager).continuation_token
    finally:
        running.process.stop()
    restarted = start_emulator(data, "--partitions", "5", port=running.port)
    try:
        client = CosmosClient(restarted.http, credential=restarted.key)
        container = client.get_database_client("restart").get_container_client("c")
        pages = container.query_items(query, partition_key="p0", max_item_count=4).by_page(token)
        rest = [row["id"] for page in pages for row in page]
    finally:
        restarted.process.stop()
    assert first == ["i010", "i009", "i008", "i007"]
    assert rest == [f"i{n:03d}" for n in range(6, 0, -1)]


def test_unsupported_query_is_400_naming_the_part(container: ContainerProxy) -> None:
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        list(container.query_items("SELECT * FROM c WHERE DocumentId(c) < 1", enable_cross_partition_query=True))
    assert caught.value.status_code == 400
    assert "DOCUMENTID" in str(caught.value.message).upper()


def test_syntax_error_is_400(container: ContainerProxy) -> None:
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        list(container.query_items("SELEC * FROM c", enable_cross_partition_query=True))
    assert caught.value.status_code == 400


def test_missing_parameter_is_400(container: ContainerProxy) -> None:
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        list(container.query_items("SELECT * FROM c WHERE c.n = @n", enable_cross_partition_query=True))
    assert caught.value.status_code == 400


def test_read_items_uses_the_sdk_generated_query(container: ContainerProxy) -> None:
    _fill(container, 6)
    found = container.read_items([("i001", "p1"), ("i004", "p1"), ("i002", "p2"), ("nope", "p0")])
    assert sorted(item["id"] for item in found) == ["i001", "i002", "i004"]


def test_undefined_versus_null_through_the_sdk(container: ContainerProxy) -> None:
    container.create_item({"id": "null", "pk": "a", "v": None})
    container.create_item({"id": "missing", "pk": "a"})
    container.create_item({"id": "one", "pk": "a", "v": 1})
    assert [r["id"] for r in container.query_items("SELECT c.id FROM c WHERE c.v = null", partition_key="a")] == [
        "null"
    ]
    values: list[Any] = list(container.query_items("SELECT VALUE c.v FROM c", partition_key="a"))
    assert values == [None, 1]
    ordered = [r["id"] for r in container.query_items("SELECT c.id FROM c ORDER BY c.v", partition_key="a")]
    assert ordered.index("null") < ordered.index("one")


def test_hierarchical_key_prefix_query(client: CosmosClient) -> None:
    db = client.create_database_if_not_exists("hpk")
    try:
        container = db.create_container("h", PartitionKey(path=["/tenant", "/user"], kind="MultiHash"))
        for tenant, user in [("t1", "u1"), ("t1", "u2"), ("t2", "u1")]:
            container.create_item({"id": f"{tenant}{user}", "tenant": tenant, "user": user})
        prefix: list[Any] = list(container.query_items("SELECT VALUE c.id FROM c", partition_key=["t1"]))
        assert sorted(prefix) == ["t1u1", "t1u2"]
        full: list[Any] = list(container.query_items("SELECT VALUE c.id FROM c", partition_key=["t2", "u1"]))
        assert full == ["t2u1"]
        assert container.read_item("t1u2", ["t1", "u2"])["user"] == "u2"
    finally:
        client.delete_database("hpk")


def test_vector_distance_for_agent_memory(container: ContainerProxy) -> None:
    container.create_item({"id": "near", "pk": "m", "embedding": [1.0, 0.0]})
    container.create_item({"id": "far", "pk": "m", "embedding": [0.0, 1.0]})
    container.create_item({"id": "mid", "pk": "m", "embedding": [0.7, 0.7]})
    rows: list[Any] = list(
        container.query_items(
            # As Azure documents it: no direction needed, the most similar come first.
            "SELECT TOP 2 c.id FROM c ORDER BY VectorDistance(c.embedding, @q)",
            parameters=[{"name": "@q", "value": [1.0, 0.0]}],
            partition_key="m",
        )
    )
    assert [r["id"] for r in rows] == ["near", "mid"]
