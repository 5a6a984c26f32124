"""Change feed: from the beginning, from now, from a time, from a continuation, per partition key."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from azure.core.paging import PageIterator
from azure.cosmos import ContainerProxy


def _ids(container: ContainerProxy, **kwargs: Any) -> list[str]:
    return [doc["id"] for doc in container.query_items_change_feed(**kwargs)]


def test_from_the_beginning_in_write_order_latest_version(container: ContainerProxy) -> None:
    # Write order holds within a partition; across physical partitions the SDK reads range after range.
    container.create_item({"id": "a", "pk": "p1", "v": 1})
    container.create_item({"id": "b", "pk": "p1", "v": 1})
    container.upsert_item({"id": "a", "pk": "p1", "v": 2})
    docs = list(container.query_items_change_feed(start_time="Beginning"))
    assert [d["id"] for d in docs] == ["b", "a"]
    assert docs[1]["v"] == 2
    assert docs[0]["_lsn"] < docs[1]["_lsn"]


def test_from_now_sees_only_later_writes(container: ContainerProxy) -> None:
    container.create_item({"id": "before", "pk": "p"})
    assert list(container.query_items_change_feed(start_time="Now")) == []
    # An empty first page ends the pager, so the SDK's continuation is read from the last response.
    continuation = container.client_connection.last_response_headers["etag"]
    container.create_item({"id": "after", "pk": "p"})
    assert _ids(container, continuation=continuation) == ["after"]


def test_incremental_with_continuation(container: ContainerProxy) -> None:
    # Scoped to one key: a whole-container pager stops at its first empty page, before every range holds
    # a position (azure-cosmos 4.17 then cannot resume its own token, against Azure as here).
    container.create_item({"id": "1", "pk": "p"})
    pages = container.query_items_change_feed(start_time="Beginning", partition_key="p").by_page()
    assert [d["id"] for page in pages for d in page] == ["1"]
    token = cast(PageIterator[Any], pages).continuation_token
    assert _ids(container, continuation=token) == []
    container.create_item({"id": "2", "pk": "p"})
    container.upsert_item({"id": "1", "pk": "p", "changed": True})
    assert _ids(container, continuation=token) == ["2", "1"]


def test_from_a_point_in_time(container: ContainerProxy) -> None:
    container.create_item({"id": "old", "pk": "p"})
    time.sleep(1.1)
    moment = datetime.now(UTC) - timedelta(milliseconds=10)
    time.sleep(0.2)
    container.create_item({"id": "new", "pk": "p"})
    assert _ids(container, start_time=moment) == ["new"]


def test_scoped_to_one_partition_key(container: ContainerProxy) -> None:
    for index in range(6):
        container.create_item({"id": str(index), "pk": "even" if index % 2 == 0 else "odd"})
    assert _ids(container, start_time="Beginning", partition_key="odd") == ["1", "3", "5"]
    assert _ids(container, start_time="Beginning", partition_key="even") == ["0", "2", "4"]


def test_pages_by_max_item_count(container: ContainerProxy) -> None:
    for index in range(5):
        container.create_item({"id": str(index), "pk": "p"})
    pages = list(container.query_items_change_feed(start_time="Beginning", max_item_count=2).by_page())
    sizes = [len(list(page)) for page in pages]
    assert [size for size in sizes if size] == [2, 2, 1]


def test_deletes_are_not_in_the_latest_version_feed(container: ContainerProxy) -> None:
    container.create_item({"id": "kept", "pk": "p"})
    container.create_item({"id": "deleted", "pk": "p"})
    container.delete_item("deleted", "p")
    assert _ids(container, start_time="Beginning") == ["kept"]


def test_feed_ranges_scope_queries_and_change_feed(container: ContainerProxy) -> None:
    for index in range(6):
        container.create_item({"id": str(index), "pk": f"p{index % 3}"})
    ranges = list(container.read_feed_ranges())
    assert sum(len(list(container.query_items("SELECT * FROM c", feed_range=r))) for r in ranges) == 6
    one_key = container.feed_range_from_partition_key("p1")
    assert [d["id"] for d in container.query_items("SELECT * FROM c", feed_range=one_key)] == ["1", "4"]
    assert _ids(container, feed_range=one_key, start_time="Beginning") == ["1", "4"]
