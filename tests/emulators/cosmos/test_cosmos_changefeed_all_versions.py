"""The all-versions-and-deletes (full-fidelity) change feed through the real azure-cosmos SDK (sync and aio).

`query_items_change_feed(mode="AllVersionsAndDeletes")` sends `A-IM: Full-Fidelity Feed` with wire format
2021-09-15; the expected records are those Microsoft's own SDK tests assert (`current`, `metadata` with
`operationType`, `lsn`, `crts`, `previousImageLSN`; deletes with an empty `current` and the item's id and
partition key in `metadata`, `timeToLiveExpired` for TTL expiries).
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any, cast

import pytest
from azure.core.paging import PageIterator
from azure.cosmos import ContainerProxy, CosmosClient, DatabaseProxy, PartitionKey, exceptions
from azure.cosmos.aio import CosmosClient as AsyncCosmosClient
from azure.cosmos.partition_key import NonePartitionKeyValue

from tests.emulators.cosmos.cosmos_harness import Emulator, start_emulator

MODE = "AllVersionsAndDeletes"


def _now_token(container: ContainerProxy, **scope: Any) -> str:
    assert list(container.query_items_change_feed(mode=MODE, **scope)) == []
    return str(container.client_connection.last_response_headers["etag"])


def _changes(container: ContainerProxy, token: str, **scope: Any) -> list[dict[str, Any]]:
    return list(container.query_items_change_feed(mode=MODE, continuation=token, **scope))


def test_creates_replaces_and_deletes_with_their_metadata(container: ContainerProxy) -> None:
    token = _now_token(container, partition_key="p")
    created = container.create_item({"id": "a", "pk": "p", "v": 1})
    replaced = container.replace_item("a", {"id": "a", "pk": "p", "v": 2})
    container.upsert_item({"id": "a", "pk": "p", "v": 3})
    container.delete_item("a", partition_key="p")
    changes = _changes(container, token, partition_key="p")
    kinds = [change["metadata"]["operationType"] for change in changes]
    assert kinds == ["create", "replace", "replace", "delete"]
    lsns = [change["metadata"]["lsn"] for change in changes]
    assert lsns == sorted(lsns)
    assert len(set(lsns)) == 4
    assert [change["current"].get("v") for change in changes] == [1, 2, 3, None]
    assert changes[0]["current"]["_etag"] == created["_etag"]
    assert changes[1]["current"]["_etag"] == replaced["_etag"]
    assert "previousImageLSN" not in changes[0]["metadata"]
    assert changes[1]["metadata"]["previousImageLSN"] == lsns[0]
    assert changes[2]["metadata"]["previousImageLSN"] == lsns[1]
    delete = changes[3]
    assert delete["current"] == {}
    assert "previous" not in delete  # Azure does not return the previous image yet
    assert delete["metadata"]["id"] == "a"
    assert delete["metadata"]["partitionKey"] == {"pk": "p"}
    assert delete["metadata"]["timeToLiveExpired"] is False
    assert delete["metadata"]["previousImageLSN"] == lsns[2]
    assert all(abs(change["metadata"]["crts"] - time.time()) < 60 for change in changes)


def test_from_now_excludes_earlier_writes_and_continues(container: ContainerProxy) -> None:
    container.create_item({"id": "before", "pk": "p"})
    token = _now_token(container, partition_key="p")
    assert _changes(container, token, partition_key="p") == []
    container.create_item({"id": "after", "pk": "p"})
    pages = container.query_items_change_feed(mode=MODE, continuation=token, partition_key="p").by_page()
    first = [change["current"]["id"] for page in pages for change in page]
    assert first == ["after"]
    resume = cast(PageIterator[Any], pages).continuation_token
    container.delete_item("before", partition_key="p")
    later = list(container.query_items_change_feed(continuation=resume))  # the mode travels in the token
    assert [(c["metadata"]["operationType"], c["metadata"]["id"]) for c in later] == [("delete", "before")]


def test_each_feed_range_sees_exactly_its_own_changes(container: ContainerProxy) -> None:
    ranges = list(container.read_feed_ranges())
    tokens = [_now_token(container, feed_range=feed_range) for feed_range in ranges]
    keys = [f"k{index}" for index in range(20)]
    for key in keys:
        container.create_item({"id": key, "pk": key})
    for key in keys[:5]:
        container.delete_item(key, partition_key=key)
    seen: list[tuple[str, str]] = []
    for feed_range, token in zip(ranges, tokens, strict=True):
        for change in _changes(container, token, feed_range=feed_range):
            meta = change["metadata"]
            seen.append((meta["operationType"], change["current"]["id"] if change["current"] else meta["id"]))
    expected = [("create", key) for key in keys] + [("delete", key) for key in keys[:5]]
    assert sorted(seen) == sorted(expected)  # every change once, in exactly one range


def test_deleting_an_item_without_its_key_property(container: ContainerProxy) -> None:
    token = _now_token(container)
    container.create_item({"id": "keyless"})
    container.delete_item("keyless", partition_key=NonePartitionKeyValue)
    changes = _changes(container, token)
    assert [c["metadata"]["operationType"] for c in changes] == ["create", "delete"]
    assert changes[1]["metadata"]["partitionKey"] == {}


def test_a_failed_post_trigger_undo_is_logged_in_order(container: ContainerProxy) -> None:
    # The emulator undoes a write whose post-trigger throws with a compensating write; the feed must stay
    # strictly ordered so that a reader resuming after any page misses nothing.
    refuse = "function refuse() { throw new Error('no'); }"
    container.scripts.create_trigger({"id": "refuse", "body": refuse, "triggerType": "Post", "triggerOperation": "All"})
    token = _now_token(container, partition_key="p")
    with pytest.raises(exceptions.CosmosHttpResponseError):
        container.create_item({"id": "t", "pk": "p"}, post_trigger_include="refuse")
    first = _changes(container, token, partition_key="p")
    resume = str(container.client_connection.last_response_headers["etag"])
    container.create_item({"id": "after", "pk": "p"})
    later = _changes(container, resume, partition_key="p")
    kinds = [(c["metadata"]["operationType"], c["metadata"]["lsn"]) for c in first + later]
    lsns = [lsn for _, lsn in kinds]
    assert lsns == sorted(set(lsns))  # strictly increasing: no two changes share an LSN here
    assert [kind for kind, _ in kinds][-1] == "create"
    assert later[-1]["current"]["id"] == "after"


def test_a_transactional_batch_shares_one_lsn(container: ContainerProxy) -> None:
    container.create_item({"id": "gone", "pk": "b"})
    token = _now_token(container, partition_key="b")
    container.execute_item_batch(
        [("create", ({"id": "x", "pk": "b"},)), ("upsert", ({"id": "y", "pk": "b"},)), ("delete", ("gone",))],
        partition_key="b",
    )
    changes = _changes(container, token, partition_key="b")
    assert sorted(c["metadata"]["operationType"] for c in changes) == ["create", "create", "delete"]
    assert len({c["metadata"]["lsn"] for c in changes}) == 1


def test_ttl_expiry_is_a_delete_marked_time_to_live_expired(database: DatabaseProxy) -> None:
    container = database.create_container("ttl", PartitionKey("/pk"), default_ttl=-1)
    token = _now_token(container, partition_key="t")
    container.create_item({"id": "short", "pk": "t", "ttl": 1})
    container.create_item({"id": "kept", "pk": "t"})
    container.delete_item("kept", partition_key="t")
    time.sleep(2.2)
    changes = _changes(container, token, partition_key="t")
    deletes = {c["metadata"]["id"]: c["metadata"] for c in changes if c["metadata"]["operationType"] == "delete"}
    assert deletes["short"]["timeToLiveExpired"] is True
    assert deletes["kept"]["timeToLiveExpired"] is False
    assert deletes["short"]["partitionKey"] == {"pk": "t"}


def test_the_log_survives_a_restart(tmp_path: Path) -> None:
    # Each entry is committed in the write's own transaction, so what was acknowledged is in the feed later.
    data = tmp_path / "data"
    running = start_emulator(data)
    try:
        container = (
            CosmosClient(running.http, credential=running.key)
            .create_database("d")
            .create_container("c", PartitionKey("/pk"))
        )
        token = _now_token(container, partition_key="p")
        container.create_item({"id": "a", "pk": "p"})
        container.delete_item("a", partition_key="p")
    finally:
        running.process.stop()
    restarted = start_emulator(data, port=running.port)
    try:
        client = CosmosClient(restarted.http, credential=restarted.key)
        container = client.get_database_client("d").get_container_client("c")
        kinds = [c["metadata"]["operationType"] for c in _changes(container, token, partition_key="p")]
        assert kinds == ["create", "delete"]
    finally:
        restarted.process.stop()


def test_latest_version_mode_is_unchanged_by_the_log(container: ContainerProxy) -> None:
    container.create_item({"id": "a", "pk": "p", "v": 1})
    container.upsert_item({"id": "a", "pk": "p", "v": 2})
    docs = list(container.query_items_change_feed(start_time="Beginning", partition_key="p"))
    assert [(d["id"], d["v"]) for d in docs] == [("a", 2)]


async def test_all_versions_through_the_async_client(emulator: Emulator) -> None:
    async with AsyncCosmosClient(emulator.http, credential=emulator.key) as client:
        name = f"aio-avad-{uuid.uuid4().hex[:8]}"
        db = await client.create_database(name)
        try:
            container = await db.create_container("c", PartitionKey("/pk"))
            # The aio overloads leave out mode + partition_key (+ continuation), which the SDK accepts as sync does.
            scoped = cast(Any, container)
            assert [c async for c in scoped.query_items_change_feed(mode=MODE, partition_key="p")] == []
            token = container.client_connection.last_response_headers["etag"]
            await container.create_item({"id": "a", "pk": "p"})
            await container.upsert_item({"id": "a", "pk": "p", "n": 1})
            await container.delete_item("a", partition_key="p")
            feed = scoped.query_items_change_feed(mode=MODE, continuation=token, partition_key="p")
            kinds = [c["metadata"]["operationType"] async for c in feed]
            assert kinds == ["create", "replace", "delete"]
        finally:
            await client.delete_database(name)
