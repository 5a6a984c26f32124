"""Bulk (non-atomic batches) and bare-array patch bodies, as the JavaScript SDK sends them (no Python SDK API)."""

from __future__ import annotations

import json

from azure.cosmos import ContainerProxy, DatabaseProxy, PartitionKey

from tests.emulators.cosmos.cosmos_harness import Emulator
from tests.emulators.cosmos.signed_http import RawResponse, signed

BULK = {
    "x-ms-cosmos-is-batch-request": "True",
    "x-ms-cosmos-batch-atomic": "False",
    "x-ms-documentdb-partitionkeyrangeid": "0",
}


def _post_bulk(
    emulator: Emulator, container: ContainerProxy, operations: list[dict[str, object]], **headers: str
) -> RawResponse:
    link = container.container_link
    body = json.dumps(operations).encode()
    return signed(emulator, "POST", f"/{link}/docs", "docs", link, None, {**BULK, **headers}, raw=body)


def test_bulk_runs_each_operation_in_its_own_partition_with_its_own_status(
    emulator: Emulator, container: ContainerProxy
) -> None:
    container.create_item({"id": "exists", "pk": "b", "n": 1})
    operations: list[dict[str, object]] = [
        {"operationType": "Create", "partitionKey": '["a"]', "resourceBody": {"id": "1", "pk": "a"}},
        {"operationType": "Create", "partitionKey": '["b"]', "resourceBody": {"id": "exists", "pk": "b"}},
        {"operationType": "Upsert", "partitionKey": '["c"]', "resourceBody": {"id": "2", "pk": "c"}},
        {"operationType": "Read", "partitionKey": '["b"]', "id": "exists"},
        {
            "operationType": "Patch",
            "partitionKey": '["b"]',
            "id": "exists",
            "resourceBody": {"operations": [{"op": "incr", "path": "/n", "value": 1}]},
        },
        {"operationType": "Delete", "partitionKey": '["a"]', "id": "missing"},
    ]
    response = _post_bulk(emulator, container, operations)
    assert response.status == 207  # some operations failed; the others still happened
    assert [result["statusCode"] for result in response.body] == [201, 409, 201, 200, 200, 404]
    assert container.read_item("1", "a")["id"] == "1"
    assert container.read_item("2", "c")["id"] == "2"
    assert container.read_item("exists", "b")["n"] == 2


def test_bulk_without_continue_on_error_stops_at_the_first_failure(
    emulator: Emulator, container: ContainerProxy
) -> None:
    operations: list[dict[str, object]] = [
        {"operationType": "Delete", "partitionKey": '["a"]', "id": "missing"},
        {"operationType": "Create", "partitionKey": '["a"]', "resourceBody": {"id": "later", "pk": "a"}},
    ]
    response = _post_bulk(emulator, container, operations, **{"x-ms-cosmos-batch-continue-on-error": "False"})
    assert [result["statusCode"] for result in response.body] == [404, 424]
    assert list(container.query_items("SELECT * FROM c", enable_cross_partition_query=True)) == []


def test_bulk_on_hierarchical_keys(emulator: Emulator, database: DatabaseProxy) -> None:
    container = database.create_container("hier-bulk", PartitionKey(["/t", "/u"], kind="MultiHash"))
    operations: list[dict[str, object]] = [
        {"operationType": "Create", "partitionKey": '["x","y"]', "resourceBody": {"id": "h", "t": "x", "u": "y"}},
    ]
    response = _post_bulk(emulator, container, operations)
    assert response.status == 200
    assert container.read_item("h", ["x", "y"])["id"] == "h"


def test_patch_with_a_bare_array_of_operations(emulator: Emulator, container: ContainerProxy) -> None:
    container.create_item({"id": "p", "pk": "a", "n": 1})
    link = f"{container.container_link}/docs/p"
    body = json.dumps([{"op": "set", "path": "/n", "value": 5}, {"op": "add", "path": "/tag", "value": "x"}]).encode()
    response = signed(
        emulator, "PATCH", f"/{link}", "docs", link, None, {"x-ms-documentdb-partitionkey": '["a"]'}, raw=body
    )
    assert response.status == 200
    assert container.read_item("p", "a")["n"] == 5
    assert container.read_item("p", "a")["tag"] == "x"
