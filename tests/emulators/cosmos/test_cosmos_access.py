"""Users, permissions and resource tokens through the real azure-cosmos SDK (sync and aio)."""

from __future__ import annotations

import asyncio

import pytest
from azure.cosmos import ContainerProxy, CosmosClient, DatabaseProxy
from azure.cosmos.aio import CosmosClient as AsyncCosmosClient
from azure.cosmos.exceptions import CosmosHttpResponseError

from tests.emulators.cosmos.cosmos_harness import Emulator


def _token(database: DatabaseProxy, container: ContainerProxy, mode: str, **extra: object) -> dict[str, str]:
    user = database.create_user({"id": f"reader-{mode}"})
    body = {"id": "p", "permissionMode": mode, "resource": container.container_link, **extra}
    permission = user.create_permission(body)
    return {container.container_link: permission.properties["_token"]}


def test_a_read_token_reads_and_is_refused_writes(
    emulator: Emulator, database: DatabaseProxy, container: ContainerProxy
) -> None:
    container.create_item({"id": "1", "pk": "a"})
    tokens = _token(database, container, "Read")
    limited = CosmosClient(emulator.http, credential=tokens).get_database_client(database.id)
    mine = limited.get_container_client(container.id)
    assert mine.read_item("1", partition_key="a")["id"] == "1"
    assert [row["id"] for row in mine.query_items("SELECT * FROM c", partition_key="a")] == ["1"]
    with pytest.raises(CosmosHttpResponseError) as raised:
        mine.create_item({"id": "2", "pk": "a"})
    assert raised.value.status_code == 403


def test_a_token_is_bound_to_its_partition_and_its_container(
    emulator: Emulator, database: DatabaseProxy, container: ContainerProxy
) -> None:
    other = database.create_container("other", partition_key=container.read()["partitionKey"])
    tokens = _token(database, container, "All", resourcePartitionKey=["a"])
    limited = CosmosClient(emulator.http, credential=tokens).get_database_client(database.id)
    mine = limited.get_container_client(container.id)
    mine.create_item({"id": "1", "pk": "a"})
    with pytest.raises(CosmosHttpResponseError) as wrong_key:
        mine.create_item({"id": "2", "pk": "b"})
    assert wrong_key.value.status_code == 403
    with pytest.raises(CosmosHttpResponseError) as wrong_container:
        limited.get_container_client(other.id).read_item("1", partition_key="a")
    assert wrong_container.value.status_code == 403
    assert container.read_item("1", partition_key="a")["pk"] == "a"


def test_an_item_permission_named_by_the_items_self_link_reaches_that_item_only(
    emulator: Emulator, database: DatabaseProxy, container: ContainerProxy
) -> None:
    # As Microsoft's access_cosmos_with_resource_token sample does: the resource is the item's rid-based `_self`.
    item = container.create_item({"id": "3", "pk": "b"})
    container.create_item({"id": "1", "pk": "a"})
    user = database.create_user({"id": "item-user"})
    permission = user.create_permission({"id": "doc", "permissionMode": "All", "resource": item["_self"]})
    tokens = {container.container_link: permission.properties["_token"]}
    scoped = CosmosClient(emulator.http, credential=tokens).get_database_client(database.id)
    mine = scoped.get_container_client(container.id)
    assert mine.read_item("3", partition_key="b")["id"] == "3"
    with pytest.raises(CosmosHttpResponseError) as other_item:
        mine.read_item("1", partition_key="a")
    assert other_item.value.status_code == 403
    with pytest.raises(CosmosHttpResponseError) as whole_feed:
        list(mine.read_all_items())
    assert whole_feed.value.status_code == 403
    mine.delete_item("3", partition_key="b")
    assert [row["id"] for row in container.read_all_items()] == ["1"]


def test_a_deleted_permission_or_a_forged_token_is_refused(
    emulator: Emulator, database: DatabaseProxy, container: ContainerProxy
) -> None:
    container.create_item({"id": "1", "pk": "a"})
    tokens = _token(database, container, "All")
    database.get_user_client("reader-All").delete_permission("p")
    with pytest.raises(CosmosHttpResponseError) as raised:
        CosmosClient(emulator.http, credential=tokens).get_database_client(database.id).get_container_client(
            container.id
        ).read_item("1", partition_key="a")
    assert raised.value.status_code == 401
    forged = {container.container_link: "type=resource&ver=1.0&sig=forged"}
    with pytest.raises(CosmosHttpResponseError) as refused:
        CosmosClient(emulator.http, credential=forged).get_database_client(database.id).get_container_client(
            container.id
        ).read_item("1", partition_key="a")
    assert refused.value.status_code == 401


def test_users_and_permissions_crud(database: DatabaseProxy, container: ContainerProxy) -> None:
    user = database.create_user({"id": "u1"})
    user.create_permission({"id": "p1", "permissionMode": "Read", "resource": container.container_link})
    assert [u["id"] for u in database.list_users()] == ["u1"]
    assert [p["id"] for p in user.list_permissions()] == ["p1"]
    assert user.get_permission("p1").permission_mode == "Read"
    database.delete_user("u1")
    with pytest.raises(CosmosHttpResponseError) as raised:
        database.get_user_client("u1").read()
    assert raised.value.status_code == 404


def test_a_resource_token_with_the_async_sdk(
    emulator: Emulator, database: DatabaseProxy, container: ContainerProxy
) -> None:
    container.create_item({"id": "1", "pk": "a"})
    tokens = _token(database, container, "Read")

    async def read() -> str:
        async with AsyncCosmosClient(emulator.http, credential=tokens) as client:
            mine = client.get_database_client(database.id).get_container_client(container.id)
            item = await mine.read_item("1", partition_key="a")
            try:
                await mine.upsert_item({"id": "1", "pk": "a"})
            except CosmosHttpResponseError as exc:
                return f"{item['id']}:{exc.status_code}"
            return "written"

    assert asyncio.run(read()) == "1:403"
