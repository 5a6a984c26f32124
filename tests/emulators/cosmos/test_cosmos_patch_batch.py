"""Patch (every operation, conditions) and transactional batch (all or nothing, 207 with per-op status)."""

from __future__ import annotations

import pytest
from azure.core import MatchConditions
from azure.cosmos import ContainerProxy, exceptions


def test_patch_every_operation(container: ContainerProxy) -> None:
    container.create_item(
        {"id": "p", "pk": "a", "n": 1, "tags": ["x", "z"], "old": "o", "gone": True, "nested": {"k": 1}}
    )
    patched = container.patch_item(
        "p",
        "a",
        [
            {"op": "add", "path": "/tags/1", "value": "y"},
            {"op": "add", "path": "/tags/-", "value": "end"},
            {"op": "set", "path": "/nested/k", "value": 2},
            {"op": "set", "path": "/tags/0", "value": "X"},
            {"op": "replace", "path": "/n", "value": 10},
            {"op": "remove", "path": "/gone"},
            {"op": "incr", "path": "/n", "value": 5},
            {"op": "incr", "path": "/counter", "value": 1},
            {"op": "move", "from": "/old", "path": "/new"},
        ],
    )
    assert patched["tags"] == ["X", "y", "z", "end"]
    assert patched["nested"] == {"k": 2}
    assert patched["n"] == 15
    assert patched["counter"] == 1
    assert "gone" not in patched
    assert "old" not in patched
    assert patched["new"] == "o"
    assert container.read_item("p", "a")["n"] == 15


def test_patch_errors(container: ContainerProxy) -> None:
    item = container.create_item({"id": "p", "pk": "a", "n": 1})
    with pytest.raises(exceptions.CosmosHttpResponseError) as bad_path:
        container.patch_item("p", "a", [{"op": "replace", "path": "/missing", "value": 1}])
    assert bad_path.value.status_code == 400
    with pytest.raises(exceptions.CosmosHttpResponseError) as too_many:
        container.patch_item("p", "a", [{"op": "set", "path": f"/f{i}", "value": i} for i in range(11)])
    assert too_many.value.status_code == 400
    with pytest.raises(exceptions.CosmosHttpResponseError) as key_change:
        container.patch_item("p", "a", [{"op": "set", "path": "/pk", "value": "b"}])
    assert key_change.value.status_code == 400
    with pytest.raises(exceptions.CosmosResourceNotFoundError):
        container.patch_item("nope", "a", [{"op": "set", "path": "/n", "value": 1}])
    container.patch_item("p", "a", [{"op": "incr", "path": "/n", "value": 1}])
    with pytest.raises(exceptions.CosmosAccessConditionFailedError):
        container.patch_item(
            "p",
            "a",
            [{"op": "incr", "path": "/n", "value": 1}],
            etag=item["_etag"],
            match_condition=MatchConditions.IfNotModified,
        )
    assert container.read_item("p", "a")["n"] == 2


def test_patch_condition(container: ContainerProxy) -> None:
    container.create_item({"id": "c", "pk": "a", "n": 1})
    container.patch_item("c", "a", [{"op": "incr", "path": "/n", "value": 1}], filter_predicate="from c where c.n = 1")
    with pytest.raises(exceptions.CosmosAccessConditionFailedError):
        container.patch_item(
            "c", "a", [{"op": "incr", "path": "/n", "value": 1}], filter_predicate="from c where c.n = 1"
        )
    assert container.read_item("c", "a")["n"] == 2


def test_batch_success(container: ContainerProxy) -> None:
    container.create_item({"id": "existing", "pk": "a", "n": 1})
    current = container.read_item("existing", "a")
    results = container.execute_item_batch(
        [
            ("create", ({"id": "b1", "pk": "a"},)),
            ("upsert", ({"id": "b2", "pk": "a"},)),
            ("read", ("existing",)),
            ("replace", ("existing", {"id": "existing", "pk": "a", "n": 2}), {"if_match_etag": current["_etag"]}),
            ("patch", ("b1", [{"op": "set", "path": "/patched", "value": True}])),
            ("delete", ("b2",)),
        ],
        partition_key="a",
    )
    assert [r["statusCode"] for r in results] == [201, 201, 200, 200, 200, 204]
    assert container.read_item("b1", "a")["patched"] is True
    assert container.read_item("existing", "a")["n"] == 2
    with pytest.raises(exceptions.CosmosResourceNotFoundError):
        container.read_item("b2", "a")


def test_batch_is_all_or_nothing(container: ContainerProxy) -> None:
    container.create_item({"id": "taken", "pk": "a"})
    with pytest.raises(exceptions.CosmosBatchOperationError) as caught:
        container.execute_item_batch(
            [
                ("create", ({"id": "new1", "pk": "a"},)),
                ("create", ({"id": "taken", "pk": "a"},)),
                ("create", ({"id": "new2", "pk": "a"},)),
            ],
            partition_key="a",
        )
    assert caught.value.error_index == 1
    assert caught.value.status_code == 409
    statuses = [r["statusCode"] for r in caught.value.operation_responses]
    assert statuses == [424, 409, 424]
    assert sorted(i["id"] for i in container.read_all_items()) == ["taken"]


def test_batch_precondition_failure_rolls_back(container: ContainerProxy) -> None:
    container.create_item({"id": "x", "pk": "a", "v": 1})
    with pytest.raises(exceptions.CosmosBatchOperationError) as caught:
        container.execute_item_batch(
            [
                ("upsert", ({"id": "x", "pk": "a", "v": 2},)),
                ("replace", ("x", {"id": "x", "pk": "a", "v": 3}), {"if_match_etag": '"stale"'}),
            ],
            partition_key="a",
        )
    assert caught.value.status_code == 412
    assert container.read_item("x", "a")["v"] == 1


def test_batch_with_more_than_100_operations_is_refused(container: ContainerProxy) -> None:
    operations = [("create", ({"id": f"i{i}", "pk": "a"},)) for i in range(101)]
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        container.execute_item_batch(operations, partition_key="a")
    assert caught.value.status_code == 400
    assert list(container.read_all_items()) == []
