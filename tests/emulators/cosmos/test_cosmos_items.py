"""Item point operations, ETag conditions, limits, TTL and delete by partition key."""

from __future__ import annotations

import time

import pytest
from azure.core import MatchConditions
from azure.cosmos import ContainerProxy, DatabaseProxy, PartitionKey, exceptions


def test_create_read_replace_upsert_delete(container: ContainerProxy) -> None:
    created = container.create_item({"id": "1", "pk": "a", "n": 1})
    assert created["_etag"]
    assert created["_self"].endswith(f"docs/{created['_rid']}/")
    assert container.read_item("1", "a")["n"] == 1
    replaced = container.replace_item("1", {"id": "1", "pk": "a", "n": 2})
    assert replaced["n"] == 2
    assert replaced["_etag"] != created["_etag"]
    assert replaced["_rid"] == created["_rid"]
    upserted = container.upsert_item({"id": "1", "pk": "a", "n": 3})
    assert container.client_connection.last_response_headers["x-ms-session-token"]
    assert upserted["n"] == 3
    container.delete_item("1", "a")
    with pytest.raises(exceptions.CosmosResourceNotFoundError):
        container.read_item("1", "a")


def test_upsert_status_201_then_200(container: ContainerProxy) -> None:
    container.upsert_item({"id": "u", "pk": "a"})
    first = container.client_connection.last_response_headers
    assert first["etag"]
    container.upsert_item({"id": "u", "pk": "a", "v": 2})
    assert container.read_item("u", "a")["v"] == 2


def test_conflict_and_not_found(container: ContainerProxy) -> None:
    container.create_item({"id": "dup", "pk": "a"})
    with pytest.raises(exceptions.CosmosResourceExistsError):
        container.create_item({"id": "dup", "pk": "a"})
    container.create_item({"id": "dup", "pk": "b"})  # same id, another partition: allowed
    with pytest.raises(exceptions.CosmosResourceNotFoundError):
        container.replace_item("missing", {"id": "missing", "pk": "a"})
    with pytest.raises(exceptions.CosmosResourceNotFoundError):
        container.delete_item("missing", "a")


def test_if_match_and_if_none_match(container: ContainerProxy) -> None:
    item = container.create_item({"id": "e", "pk": "a", "n": 1})
    container.replace_item("e", {**item, "n": 2}, etag=item["_etag"], match_condition=MatchConditions.IfNotModified)
    with pytest.raises(exceptions.CosmosAccessConditionFailedError):
        container.replace_item("e", {**item, "n": 3}, etag=item["_etag"], match_condition=MatchConditions.IfNotModified)
    with pytest.raises(exceptions.CosmosAccessConditionFailedError):
        container.upsert_item({**item, "n": 3}, etag=item["_etag"], match_condition=MatchConditions.IfNotModified)
    with pytest.raises(exceptions.CosmosAccessConditionFailedError):
        container.delete_item("e", "a", etag=item["_etag"], match_condition=MatchConditions.IfNotModified)
    current = container.read_item("e", "a")
    # 304 Not Modified: the SDK hands back an empty body.
    assert container.read_item("e", "a", etag=current["_etag"], match_condition=MatchConditions.IfModified) == {}
    assert container.read_item("e", "a", etag=item["_etag"], match_condition=MatchConditions.IfModified)["n"] == 2
    container.delete_item("e", "a", etag=current["_etag"], match_condition=MatchConditions.IfNotModified)


def test_no_response_returns_no_body(container: ContainerProxy) -> None:
    result = container.create_item({"id": "quiet", "pk": "a"}, no_response=True)
    assert not result
    assert container.read_item("quiet", "a")["id"] == "quiet"


def test_invalid_ids_are_400(container: ContainerProxy) -> None:
    # The SDK refuses "/" and friends itself; these reach the server.
    for bad in ({"pk": "a"}, {"id": "", "pk": "a"}, {"id": "x" * 1024, "pk": "a"}):
        with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
            container.create_item(bad)
        assert caught.value.status_code == 400
    # Azure's limits and words: items take ids up to 1023 characters, databases and containers up to 255.
    assert "less than '1024' characters" in caught.value.message
    assert container.create_item({"id": "x" * 1023, "pk": "a"})["id"] == "x" * 1023


def test_special_characters_in_ids(container: ContainerProxy) -> None:
    for item_id in ("with space", "ünïcødé", "a+b=c&d", "percent%20"):
        container.create_item({"id": item_id, "pk": "a"})
        assert container.read_item(item_id, "a")["id"] == item_id
        container.delete_item(item_id, "a")


def test_partition_key_values_null_undefined_numbers(container: ContainerProxy) -> None:
    container.create_item({"id": "n", "pk": None})
    container.create_item({"id": "u"})
    container.create_item({"id": "5", "pk": 5})
    assert container.read_item("n", None)["id"] == "n"
    assert container.read_item("5", 5)["pk"] == 5
    assert {i["id"] for i in container.read_all_items()} == {"n", "u", "5"}


def test_document_over_2mb_is_413(container: ContainerProxy) -> None:
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        container.create_item({"id": "big", "pk": "a", "blob": "x" * (2 * 1024 * 1024 + 10)})
    assert caught.value.status_code == 413
    container.create_item({"id": "fits", "pk": "a", "blob": "x" * (1024 * 1024)})


def test_unique_keys_within_a_partition(database: DatabaseProxy) -> None:
    container = database.create_container(
        "users", PartitionKey("/tenant"), unique_key_policy={"uniqueKeys": [{"paths": ["/email"]}]}
    )
    container.create_item({"id": "1", "tenant": "t1", "email": "a@x"})
    with pytest.raises(exceptions.CosmosResourceExistsError):
        container.create_item({"id": "2", "tenant": "t1", "email": "a@x"})
    container.create_item({"id": "3", "tenant": "t2", "email": "a@x"})
    container.upsert_item({"id": "1", "tenant": "t1", "email": "a@x", "v": 2})  # itself: no conflict


def test_delete_all_items_by_partition_key(container: ContainerProxy) -> None:
    for index in range(5):
        container.create_item({"id": str(index), "pk": "gone"})
    container.create_item({"id": "keep", "pk": "stay"})
    container.delete_all_items_by_partition_key("gone")
    assert [i["id"] for i in container.read_all_items()] == ["keep"]


def test_ttl_container_default_and_per_item(database: DatabaseProxy) -> None:
    container = database.create_container("ttl", PartitionKey("/pk"), default_ttl=1)
    container.create_item({"id": "default", "pk": "a"})
    container.create_item({"id": "forever", "pk": "a", "ttl": -1})
    container.create_item({"id": "longer", "pk": "a", "ttl": 60})
    time.sleep(2.1)
    with pytest.raises(exceptions.CosmosResourceNotFoundError):
        container.read_item("default", "a")
    assert {i["id"] for i in container.read_all_items()} == {"forever", "longer"}
    container.create_item({"id": "default", "pk": "a"})  # the expired id is free again


def test_item_ttl_ignored_without_container_default(container: ContainerProxy) -> None:
    container.create_item({"id": "t", "pk": "a", "ttl": 1})
    time.sleep(1.5)
    assert container.read_item("t", "a")["id"] == "t"


def test_read_all_items_pages(container: ContainerProxy) -> None:
    for index in range(7):
        container.create_item({"id": f"r{index}", "pk": "a"})
    pages = [list(page) for page in container.read_all_items(max_item_count=3).by_page()]
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [i["id"] for page in pages for i in page] == [f"r{index}" for index in range(7)]
