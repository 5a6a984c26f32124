"""The test control plane: health, reset, and 429/503 injection that exercises the SDK's retries."""

from __future__ import annotations

import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.cosmos import CosmosClient, PartitionKey, exceptions

from tests.emulators.cosmos.cosmos_harness import Emulator, start_emulator


@pytest.fixture
def own_emulator(tmp_path: Path) -> Iterator[Emulator]:
    """A private emulator, since faults and reset would disturb the shared one."""
    running = start_emulator(tmp_path / "data", "--in-memory")
    yield running
    running.process.stop()


def test_health_counts_resources(own_emulator: Emulator) -> None:
    client = CosmosClient(own_emulator.http, credential=own_emulator.key)
    container = client.create_database("h").create_container("c", PartitionKey("/pk"))
    container.create_item({"id": "1", "pk": "a"})
    health = own_emulator.control("health")
    assert health["status"] == "ok"
    assert (health["databases"], health["containers"], health["items"]) == (1, 1, 1)


def test_reset_deletes_everything(own_emulator: Emulator) -> None:
    client = CosmosClient(own_emulator.http, credential=own_emulator.key)
    client.create_database("r").create_container("c", PartitionKey("/pk")).create_item({"id": "1", "pk": "a"})
    own_emulator.control("reset", {})
    assert list(client.list_databases()) == []


def test_same_client_and_names_work_after_reset(own_emulator: Emulator) -> None:
    client = CosmosClient(own_emulator.http, credential=own_emulator.key)
    container = client.create_database_if_not_exists("d").create_container_if_not_exists("c", PartitionKey("/pk"))
    for index in range(3):
        container.upsert_item({"id": str(index), "pk": "a"})
    own_emulator.control("reset", {})
    # The recreated container has a new rid; the SDK's cached one is refreshed through 400/1024.
    container = client.create_database_if_not_exists("d").create_container_if_not_exists("c", PartitionKey("/pk"))
    container.upsert_item({"id": "new", "pk": "a"})
    counts: list[Any] = list(container.query_items("SELECT VALUE COUNT(1) FROM c", partition_key="a"))
    assert counts == [1]
    assert [doc["id"] for doc in container.query_items_change_feed(start_time="Beginning")] == ["new"]


def test_injected_429s_are_retried_by_the_sdk(own_emulator: Emulator) -> None:
    client = CosmosClient(own_emulator.http, credential=own_emulator.key)
    container = client.create_database("f").create_container("c", PartitionKey("/pk"))
    own_emulator.control("faults", {"status": 429, "rate": 1.0, "count": 3})
    container.create_item({"id": "1", "pk": "a"})
    assert own_emulator.control("health")["faults"] == {"status": 429, "rate": 1.0, "injected": 3}
    assert container.read_item("1", "a")["id"] == "1"


def test_persistent_429_reaches_the_caller(own_emulator: Emulator) -> None:
    client = CosmosClient(own_emulator.http, credential=own_emulator.key, retry_total=0)
    container = client.create_database("f").create_container("c", PartitionKey("/pk"))
    own_emulator.control("faults", {"status": 429, "rate": 1.0})
    try:
        with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
            container.create_item({"id": "1", "pk": "a"})
        assert caught.value.status_code == 429
        assert caught.value.sub_status == 3200
    finally:
        own_emulator.control("faults", {"rate": 0.0})
    container.create_item({"id": "1", "pk": "a"})


def test_injected_503_is_retried(own_emulator: Emulator) -> None:
    client = CosmosClient(own_emulator.http, credential=own_emulator.key)
    container = client.create_database("f").create_container("c", PartitionKey("/pk"))
    container.create_item({"id": "1", "pk": "a"})
    own_emulator.control("faults", {"status": 503, "rate": 1.0, "count": 1})
    assert container.read_item("1", "a")["id"] == "1"
    assert own_emulator.control("health")["faults"]["injected"] == 1  # type: ignore[index]


def test_partial_rate_fails_about_that_share(own_emulator: Emulator) -> None:
    client = CosmosClient(own_emulator.http, credential=own_emulator.key)
    container = client.create_database("f").create_container("c", PartitionKey("/pk"))
    container.create_item({"id": "1", "pk": "a"})
    own_emulator.control("faults", {"status": 429, "rate": 0.3, "seed": 7})
    for _ in range(40):
        container.read_item("1", "a")  # every injected 429 is retried transparently
    injected = own_emulator.control("health")["faults"]["injected"]  # type: ignore[index]
    # Some requests were failed on purpose, and the SDK retried each one to success.
    assert int(injected) >= 4


def test_bad_fault_settings_are_400(own_emulator: Emulator) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        own_emulator.control("faults", {"status": 500, "rate": 1.0})
    assert caught.value.code == 400


def test_expired_items_are_swept_from_storage(tmp_path: Path) -> None:
    running = start_emulator(tmp_path / "sweep", "--ttl-sweep-seconds", "0.2")
    try:
        client = CosmosClient(running.http, credential=running.key)
        container = client.create_database("t").create_container("c", PartitionKey("/pk"), default_ttl=1)
        container.create_item({"id": "brief", "pk": "a"})
        container.create_item({"id": "kept", "pk": "a", "ttl": -1})
        assert running.control("health")["items"] == 2
        deadline = time.monotonic() + 10
        while running.control("health")["items"] != 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert running.control("health")["items"] == 1
        assert [item["id"] for item in container.read_all_items()] == ["kept"]
    finally:
        running.process.stop()
