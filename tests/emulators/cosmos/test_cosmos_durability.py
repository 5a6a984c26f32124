"""Every acknowledged write survives a kill -9 of the emulator."""

from __future__ import annotations

from pathlib import Path

from azure.cosmos import CosmosClient, PartitionKey

from tests.emulators.cosmos.cosmos_harness import start_emulator


def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    data = tmp_path / "data"
    running = start_emulator(data)
    client = CosmosClient(running.http, credential=running.key)
    container = client.create_database("durable").create_container(
        "c", PartitionKey("/pk"), default_ttl=-1, offer_throughput=700
    )
    for index in range(50):
        container.upsert_item({"id": str(index), "pk": f"p{index % 5}", "n": index})
    container.patch_item("7", "p2", [{"op": "incr", "path": "/n", "value": 100}])
    container.delete_item("8", "p3")
    container.execute_item_batch(
        [("create", ({"id": "b1", "pk": "p0"},)), ("create", ({"id": "b2", "pk": "p0"},))], partition_key="p0"
    )
    last_lsn = int(container.client_connection.last_response_headers["x-ms-session-token"].split("#")[1])
    etag = container.read_item("3", "p3")["_etag"]
    running.process.kill_hard()

    restarted = start_emulator(data, port=running.port)
    try:
        client = CosmosClient(restarted.http, credential=restarted.key)
        container = client.get_database_client("durable").get_container_client("c")
        items = {item["id"]: item for item in container.read_all_items()}
        assert len(items) == 51
        assert items["7"]["n"] == 107
        assert "8" not in items
        assert items["3"]["_etag"] == etag
        assert container.read().get("defaultTtl") == -1
        assert container.get_throughput().offer_throughput == 700
        # The LSN keeps counting up after a restart, so change-feed continuations stay valid.
        container.upsert_item({"id": "after", "pk": "p0"})
        lsn = int(container.client_connection.last_response_headers["x-ms-session-token"].split("#")[1])
        assert lsn == last_lsn + 1
    finally:
        restarted.process.stop()
