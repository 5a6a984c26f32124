"""The asynchronous SDK client (azure.cosmos.aio) against the emulator, over HTTP and HTTPS."""

from __future__ import annotations

from typing import Any

import pytest
from azure.cosmos import PartitionKey, exceptions
from azure.cosmos.aio import CosmosClient

from tests.emulators.cosmos.cosmos_harness import Emulator


@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_async_client_end_to_end(emulator: Emulator, scheme: str) -> None:
    endpoint = emulator.http if scheme == "http" else emulator.https
    async with CosmosClient(endpoint, credential=emulator.key, connection_verify=False) as client:
        db = await client.create_database_if_not_exists(f"aio-{scheme}")
        try:
            container = await db.create_container_if_not_exists("c", PartitionKey("/pk"))
            for index in range(5):
                await container.upsert_item({"id": str(index), "pk": "a" if index < 3 else "b", "n": index})
            assert (await container.read_item("1", "a"))["n"] == 1
            with pytest.raises(exceptions.CosmosResourceNotFoundError):
                await container.read_item("nope", "a")
            rows: list[Any] = [
                r async for r in container.query_items("SELECT VALUE c.n FROM c ORDER BY c.n DESC", max_item_count=2)
            ]
            assert rows == [4, 3, 2, 1, 0]
            scoped: list[Any] = [r async for r in container.query_items("SELECT VALUE c.id FROM c", partition_key="b")]
            assert sorted(scoped) == ["3", "4"]
            patched = await container.patch_item("0", "a", [{"op": "set", "path": "/x", "value": 1}])
            assert patched["x"] == 1
            results = await container.execute_item_batch([("create", ({"id": "z", "pk": "a"},))], partition_key="a")
            assert results[0]["statusCode"] == 201
            changes = [d async for d in container.query_items_change_feed(start_time="Beginning")]
            # Write order within each partition key; the partitions come range after range.
            assert [d["id"] for d in changes if d["pk"] == "a"] == ["1", "2", "0", "z"]
            assert [d["id"] for d in changes if d["pk"] == "b"] == ["3", "4"]
            assert (await container.get_throughput()).offer_throughput == 400
        finally:
            await client.delete_database(f"aio-{scheme}")
