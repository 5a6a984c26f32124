"""Issue 21 points 1, 2, 4 and 5 through the real azure-cosmos SDK (sync and aio).

- Azure's default partition layout (one range up to 6,000 RU/s or in a shared-throughput database;
  more from throughput), and an Azure-format continuation token accepted on one range.
- A query whose filter pins the full partition key, sent without a key or the cross-partition header,
  is served (only a query that really spans partitions is refused).
- `SELECT VALUE AVG(...) ... ORDER BY ...` across partitions answers.
- An invalid container definition is 400 even when the id already exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from azure.cosmos import ContainerProxy, CosmosClient, DatabaseProxy, PartitionKey, ThroughputProperties, exceptions
from azure.cosmos.aio import CosmosClient as AsyncCosmosClient

from tests.emulators.cosmos.cosmos_harness import Emulator, start_emulator

# The token `test_query_with_static_continuation` in Microsoft's SDK tests passes literally (from Azure).
AZURE_TOKEN = "-RID:~a0NPAOszCpOChB4AAAAAAA==#RT:1#TRC:2#ISV:2#IEO:65567#QCF:8"


@pytest.fixture(scope="module")
def azure_layout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """An emulator with the default (Azure) layout: no `--partitions`."""
    running = start_emulator(tmp_path_factory.mktemp("azure-layout") / "data", "--in-memory")
    yield running
    running.process.stop()


@pytest.fixture
def azure_db(azure_layout: Emulator) -> Iterator[DatabaseProxy]:
    client = CosmosClient(azure_layout.http, credential=azure_layout.key)
    db = client.create_database(f"db-{uuid.uuid4().hex[:10]}")
    yield db
    client.delete_database(db)


def test_default_layout_follows_throughput(azure_db: DatabaseProxy) -> None:
    small = azure_db.create_container("small", PartitionKey("/pk"))
    assert len(list(small.read_feed_ranges())) == 1
    v1 = azure_db.create_container("v1", PartitionKey("/pk", version=1))
    assert len(list(v1.read_feed_ranges())) == 1
    manual = azure_db.create_container("manual", PartitionKey("/pk"), offer_throughput=12000)
    assert len(list(manual.read_feed_ranges())) == 2
    autoscale = azure_db.create_container(
        "autoscale", PartitionKey("/pk"), offer_throughput=ThroughputProperties(auto_scale_max_throughput=30000)
    )
    assert len(list(autoscale.read_feed_ranges())) == 3


def test_shared_throughput_database_containers_have_one_range(azure_layout: Emulator) -> None:
    client = CosmosClient(azure_layout.http, credential=azure_layout.key)
    db = client.create_database(f"shared-{uuid.uuid4().hex[:8]}", offer_throughput=40000)
    try:
        container = db.create_container("c", PartitionKey("/pk"))
        assert len(list(container.read_feed_ranges())) == 1
    finally:
        client.delete_database(db)


def test_azure_continuation_token_accepted_on_one_range(azure_db: DatabaseProxy) -> None:
    container = azure_db.create_container("one", PartitionKey("/pk"))
    for index in range(3):
        container.create_item({"id": str(index), "pk": f"p{index}"})
    (feed_range,) = list(container.read_feed_ranges())
    pages = container.query_items(
        "SELECT * FROM c", feed_range=feed_range, max_item_count=1, continuation=AZURE_TOKEN
    ).by_page()
    seen = [item["id"] for page in pages for item in page]
    assert sorted(seen) == ["0", "1", "2"]
    # Any query runs without the cross-partition header on a container of one range.
    # Even on one range, a query whose filter pins no key needs the cross-partition header (as Azure).
    with pytest.raises(exceptions.CosmosHttpResponseError) as refused:
        list(container.query_items("SELECT VALUE c.id FROM c ORDER BY c.id DESC"))
    assert refused.value.status_code == 400
    # With the header the query is planned (400/1004), and the SDK's pipeline answers.
    planned = container.query_items("SELECT VALUE c.id FROM c ORDER BY c.id DESC", enable_cross_partition_query=True)
    assert _rows(planned) == ["2", "1", "0"]
    assert _rows(container.query_items("SELECT VALUE c.id FROM c WHERE c.pk IN ('p0', 'p2')")) == ["0", "2"]


def _rows(pages: Iterable[Any]) -> list[Any]:
    """Query results as plain values (the SDK types every row as a document)."""
    return list(pages)


def _fill(container: ContainerProxy) -> None:
    for index in range(20):
        container.create_item({"id": str(index), "pk": f"p{index % 7}", "n": index})


def test_query_pinning_the_key_needs_no_header(container: ContainerProxy) -> None:
    _fill(container)
    pinned = container.query_items(
        "SELECT VALUE c.n FROM c WHERE c.pk = @pk", parameters=[{"name": "@pk", "value": "p3"}]
    )
    assert sorted(_rows(pinned)) == [3, 10, 17]
    both = container.query_items("SELECT VALUE COUNT(1) FROM c WHERE c.pk = 'p3' AND c.n > 5")
    assert _rows(both) == [2]
    with pytest.raises(exceptions.CosmosHttpResponseError) as refused:
        list(container.query_items("SELECT * FROM c WHERE c.n > 5"))
    assert refused.value.status_code == 400
    assert "Cross partition query is required" in str(refused.value.message)


def test_hierarchical_key_pinned_on_every_path_needs_no_header(database: DatabaseProxy) -> None:
    container = database.create_container("hier", PartitionKey(["/t", "/u"], kind="MultiHash"))
    for index in range(12):
        container.create_item({"id": str(index), "t": f"t{index % 3}", "u": f"u{index % 2}"})
    rows = container.query_items("SELECT VALUE c.id FROM c WHERE c.t = 't1' AND c.u = 'u0'")
    assert sorted(_rows(rows), key=int) == ["4", "10"]


def test_avg_with_order_by_across_partitions(container: ContainerProxy) -> None:
    _fill(container)
    query = "SELECT VALUE AVG(c.n) FROM c WHERE IS_NUMBER(c.n) ORDER BY c.n"
    assert _rows(container.query_items(query, enable_cross_partition_query=True)) == [9.5]
    empty = "SELECT VALUE AVG(c.n) FROM c WHERE c.n > 100"
    unordered = list(container.query_items(empty, enable_cross_partition_query=True))
    assert list(container.query_items(f"{empty} ORDER BY c.n", enable_cross_partition_query=True)) == unordered
    total = "SELECT VALUE SUM(c.n) FROM c ORDER BY c.pk"
    assert _rows(container.query_items(total, enable_cross_partition_query=True)) == [190]


async def test_aio_pinned_key_and_avg_order_by(emulator: Emulator, container: ContainerProxy) -> None:
    _fill(container)
    database_id = container.container_link.split("/")[1]
    async with AsyncCosmosClient(emulator.http, credential=emulator.key) as client:
        proxy = client.get_database_client(database_id).get_container_client(container.id)
        pinned: list[Any] = [n async for n in proxy.query_items("SELECT VALUE c.n FROM c WHERE c.pk = 'p3'")]
        assert sorted(pinned) == [3, 10, 17]
        avg: list[Any] = [v async for v in proxy.query_items("SELECT VALUE AVG(c.n) FROM c ORDER BY c.n DESC")]
        assert avg == [9.5]


def test_invalid_definition_is_400_even_when_the_id_exists(database: DatabaseProxy) -> None:
    database.create_container("taken", PartitionKey("/pk"))
    four = {"paths": ["/a", "/b", "/c", "/d"], "kind": "MultiHash", "version": 2}
    with pytest.raises(exceptions.CosmosHttpResponseError) as invalid:
        database.create_container("taken", partition_key=four)  # type: ignore[call-overload]
    assert invalid.value.status_code == 400
    assert "Too many partition key paths" in str(invalid.value.message)
    with pytest.raises(exceptions.CosmosResourceExistsError):
        database.create_container("taken", PartitionKey("/pk"))
