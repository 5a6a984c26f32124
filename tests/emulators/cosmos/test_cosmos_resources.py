"""Databases, containers (key paths, TTL, unique keys, indexing policy), throughput and key ranges."""

from __future__ import annotations

import uuid

import pytest
from azure.cosmos import CosmosClient, DatabaseProxy, PartitionKey, ThroughputProperties, exceptions


def test_database_lifecycle(client: CosmosClient) -> None:
    name = f"life-{uuid.uuid4().hex[:8]}"
    db = client.create_database(name)
    assert db.read()["id"] == name
    assert name in [d["id"] for d in client.list_databases()]
    with pytest.raises(exceptions.CosmosResourceExistsError):
        client.create_database(name)
    assert client.create_database_if_not_exists(name).id == name
    client.delete_database(name)
    with pytest.raises(exceptions.CosmosResourceNotFoundError):
        client.get_database_client(name).read()


def test_container_keeps_its_settings(database: DatabaseProxy) -> None:
    policy = {
        "indexingMode": "consistent",
        "automatic": True,
        "includedPaths": [{"path": "/name/?"}],
        "excludedPaths": [{"path": "/*"}],
    }
    container = database.create_container(
        "settings",
        PartitionKey(path=["/tenant", "/user"], kind="MultiHash"),
        default_ttl=3600,
        unique_key_policy={"uniqueKeys": [{"paths": ["/email"]}]},
        indexing_policy=policy,
    )
    props = container.read()
    assert props["partitionKey"]["paths"] == ["/tenant", "/user"]
    assert props["partitionKey"]["kind"] == "MultiHash"
    assert props["defaultTtl"] == 3600
    assert props["uniqueKeyPolicy"]["uniqueKeys"][0]["paths"] == ["/email"]
    assert props["indexingPolicy"]["includedPaths"] == [{"path": "/name/?"}]
    assert props["_self"].endswith(f"colls/{props['_rid']}/")


def test_replace_container_and_list(database: DatabaseProxy) -> None:
    database.create_container("a", PartitionKey("/pk"))
    database.create_container("b", PartitionKey("/pk"))
    assert sorted(c["id"] for c in database.list_containers()) == ["a", "b"]
    replaced = database.replace_container("a", PartitionKey("/pk"), default_ttl=60)
    assert replaced.read()["defaultTtl"] == 60
    with pytest.raises(exceptions.CosmosResourceExistsError):
        database.create_container("a", PartitionKey("/pk"))
    database.delete_container("b")
    with pytest.raises(exceptions.CosmosResourceNotFoundError):
        database.get_container_client("b").read()


def test_query_containers(database: DatabaseProxy) -> None:
    database.create_container("q1", PartitionKey("/pk"))
    found = list(database.query_containers("SELECT * FROM r"))
    assert [c["id"] for c in found] == ["q1"]


def test_throughput_read_and_replace(database: DatabaseProxy) -> None:
    container = database.create_container("tp", PartitionKey("/pk"), offer_throughput=1000)
    assert container.get_throughput().offer_throughput == 1000
    container.replace_throughput(1500)
    assert container.get_throughput().offer_throughput == 1500
    default = database.create_container("tp-default", PartitionKey("/pk"))
    assert default.get_throughput().offer_throughput == 400


def test_autoscale_throughput(database: DatabaseProxy) -> None:
    container = database.create_container(
        "auto", PartitionKey("/pk"), offer_throughput=ThroughputProperties(auto_scale_max_throughput=4000)
    )
    assert container.get_throughput().auto_scale_max_throughput == 4000


def test_feed_ranges_end_with_a_304(database: DatabaseProxy) -> None:
    container = database.create_container("ranges", PartitionKey("/pk"))
    ranges = list(container.read_feed_ranges())
    assert len(ranges) == 5  # the emulator's default --partitions
    # A second read drains the /pkranges feed again with If-None-Match; it must terminate.
    assert len(list(container.read_feed_ranges())) == 5


def test_invalid_container_definition_is_400(database: DatabaseProxy) -> None:
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        database.create_container("bad", PartitionKey(path=["/a", "/b", "/c", "/d"], kind="MultiHash"))
    assert caught.value.status_code == 400
