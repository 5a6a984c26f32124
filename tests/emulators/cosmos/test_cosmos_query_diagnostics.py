"""Issue 21 point 3: index utilization and query metrics follow the indexes a query really uses.

Through the real azure-cosmos SDK (sync and aio): `populate_index_metrics=True` sends
`x-ms-cosmos-populateindexmetrics` and the SDK decodes `x-ms-cosmos-index-utilization`;
`populate_query_metrics=True` sends `x-ms-documentdb-populatequerymetrics`.
"""

from __future__ import annotations

from typing import Any

from azure.cosmos import ContainerProxy, DatabaseProxy, PartitionKey
from azure.cosmos.aio import CosmosClient as AsyncCosmosClient

from tests.emulators.cosmos.cosmos_harness import Emulator

INDEX_HEADER = "x-ms-cosmos-index-utilization"
METRICS_HEADER = "x-ms-documentdb-query-metrics"
POLICY = {
    "indexingMode": "consistent",
    "includedPaths": [{"path": "/*"}],
    "excludedPaths": [{"path": "/secret/?"}],
    "compositeIndexes": [[{"path": "/a", "order": "ascending"}, {"path": "/n", "order": "descending"}]],
}


def _filled(database: DatabaseProxy) -> ContainerProxy:
    container = database.create_container("diag", PartitionKey("/pk"), indexing_policy=POLICY)
    for index in range(20):
        container.create_item({"id": str(index), "pk": f"p{index % 2}", "n": index, "a": index % 3, "secret": index})
    return container


def _indexes(container: ContainerProxy, query: str, **kwargs: Any) -> dict[str, Any]:
    list(container.query_items(query, populate_index_metrics=True, **kwargs))
    found: dict[str, Any] = container.client_connection.last_response_headers[INDEX_HEADER]
    return found


def _specs(entries: list[dict[str, Any]]) -> list[Any]:
    return [entry.get("IndexSpec", entry.get("IndexSpecs")) for entry in entries]


def _metrics(container: ContainerProxy, query: str, **kwargs: Any) -> dict[str, str]:
    list(container.query_items(query, populate_query_metrics=True, **kwargs))
    text = container.client_connection.last_response_headers[METRICS_HEADER]
    return dict(pair.split("=", 1) for pair in text.split(";"))


def test_partition_key_scope_uses_the_key_index(database: DatabaseProxy) -> None:
    container = _filled(database)
    found = _indexes(container, "SELECT * FROM c", partition_key="p0")
    assert set(found) == {
        "UtilizedSingleIndexes",
        "PotentialSingleIndexes",
        "UtilizedCompositeIndexes",
        "PotentialCompositeIndexes",
    }
    (key_index,) = found["UtilizedSingleIndexes"]
    assert key_index["IndexSpec"] == "/pk/?"
    assert key_index["FilterExpression"] == ""
    assert key_index["IndexImpactScore"] == "High"


def test_filters_on_indexed_and_excluded_paths(database: DatabaseProxy) -> None:
    container = _filled(database)
    found = _indexes(container, "SELECT * FROM c WHERE c.n > 5 AND c.secret = 3", partition_key="p1")
    assert _specs(found["UtilizedSingleIndexes"]) == ["/pk/?", "/n/?"]
    assert _specs(found["PotentialSingleIndexes"]) == ["/secret/?"]


def test_composite_indexes_utilized_or_potential(database: DatabaseProxy) -> None:
    container = _filled(database)
    used = _indexes(container, "SELECT * FROM c ORDER BY c.a ASC, c.n DESC", partition_key="p0")
    assert _specs(used["UtilizedCompositeIndexes"]) == [["/a ASC", "/n DESC"]]
    assert used["PotentialCompositeIndexes"] == []
    missing = _indexes(container, "SELECT * FROM c ORDER BY c.n ASC, c.a ASC", partition_key="p0")
    assert _specs(missing["PotentialCompositeIndexes"]) == [["/n ASC", "/a ASC"]]
    assert missing["UtilizedCompositeIndexes"] == []


def test_query_metrics_count_what_evaluation_reads(database: DatabaseProxy) -> None:
    container = _filled(database)
    counted = _metrics(container, "SELECT VALUE COUNT(1) FROM c WHERE c.n > 5", partition_key="p0")
    assert counted["retrievedDocumentCount"] == "0"  # answered from the index
    assert counted["outputDocumentCount"] == "1"
    indexed = _metrics(container, "SELECT * FROM c WHERE c.n >= 10", partition_key="p0")
    assert indexed["retrievedDocumentCount"] == "5"  # 10, 12, 14, 16, 18: the index finds them
    scanned = _metrics(container, "SELECT * FROM c WHERE c.secret >= 10", partition_key="p0")
    assert scanned["retrievedDocumentCount"] == "10"  # no index on /secret: every document of p0 loads
    assert scanned["outputDocumentCount"] == "5"


async def test_aio_index_and_query_metrics(emulator: Emulator, database: DatabaseProxy) -> None:
    _filled(database)
    async with AsyncCosmosClient(emulator.http, credential=emulator.key) as client:
        proxy = client.get_database_client(database.id).get_container_client("diag")
        query = "SELECT * FROM c WHERE c.n < 4"
        rows = [
            row
            async for row in proxy.query_items(
                query, partition_key="p1", populate_index_metrics=True, populate_query_metrics=True
            )
        ]
        assert sorted(row["n"] for row in rows) == [1, 3]
        headers = proxy.client_connection.last_response_headers
        assert _specs(headers[INDEX_HEADER]["UtilizedSingleIndexes"]) == ["/pk/?", "/n/?"]
        assert "retrievedDocumentCount=2;" in headers[METRICS_HEADER]
