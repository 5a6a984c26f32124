"""Behaviours the azure-cosmos SDK's own tests expect of the service, through the real SDK."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import pytest
from azure.core import MatchConditions
from azure.core.credentials import AccessToken
from azure.cosmos import ContainerProxy, CosmosClient, DatabaseProxy, PartitionKey, ThroughputProperties, exceptions

from tests.emulators.cosmos.cosmos_harness import Emulator


def test_items_addressed_by_their_self_link(client: CosmosClient, container: ContainerProxy) -> None:
    created = container.create_item({"id": "by-rid", "pk": "a", "n": 1})
    connection = client.client_connection
    link = created["_self"]
    assert connection.ReadItem(link, options={"partitionKey": "a"})["n"] == 1
    replaced = connection.ReplaceItem(link, {**created, "n": 2}, options={"partitionKey": "a"})
    assert replaced["n"] == 2
    assert container.read_item("by-rid", "a")["n"] == 2
    connection.DeleteItem(link, options={"partitionKey": "a"})
    with pytest.raises(exceptions.CosmosResourceNotFoundError):
        container.read_item("by-rid", "a")


def test_replace_may_rename_an_item(container: ContainerProxy) -> None:
    container.create_item({"id": "old", "pk": "a", "n": 1})
    container.create_item({"id": "taken", "pk": "a"})
    renamed = container.replace_item("old", {"id": "new", "pk": "a", "n": 2})
    assert renamed["id"] == "new"
    assert container.read_item("new", "a")["n"] == 2
    with pytest.raises(exceptions.CosmosResourceNotFoundError):
        container.read_item("old", "a")
    with pytest.raises(exceptions.CosmosResourceExistsError):
        container.replace_item("new", {"id": "taken", "pk": "a"})


def test_indexing_policies_come_back_completed(database: DatabaseProxy) -> None:
    partial = database.create_container(
        "partial", PartitionKey("/pk"), indexing_policy={"indexingMode": "Consistent", "automatic": True}
    ).read()["indexingPolicy"]
    assert partial["indexingMode"] == "consistent"
    assert partial["includedPaths"] == [{"path": "/*"}]
    assert partial["excludedPaths"] == [{"path": '/"_etag"/?'}]
    legacy = database.create_container(
        "legacy",
        PartitionKey("/pk"),
        indexing_policy={
            "includedPaths": [{"path": "/*", "indexes": [{"kind": "Hash", "dataType": "String", "precision": 3}]}],
            "excludedPaths": [{"path": '/"systemMetadata"/*'}],
        },
    ).read()["indexingPolicy"]
    assert legacy["includedPaths"] == [{"path": "/*"}]
    assert len(legacy["excludedPaths"]) == 2
    assert legacy["automatic"] is True


def test_partition_key_paths_with_quoted_segments(database: DatabaseProxy) -> None:
    container = database.create_container("quoted", PartitionKey(path='/"level\' 1*()"/"le/vel2"'))
    container.create_item({"id": "q", "level' 1*()": {"le/vel2": "val1"}})
    assert container.read_item("q", "val1")["id"] == "q"
    assert [d["id"] for d in container.query_items("SELECT * FROM c", partition_key="val1")] == ["q"]


def test_value_aggregate_with_order_by(container: ContainerProxy) -> None:
    for n in (1, 2, 6):
        container.create_item({"id": str(n), "pk": "a", "n": n})
    result: list[object] = list(container.query_items("SELECT VALUE AVG(c.n) FROM c ORDER BY c.n", partition_key="a"))
    assert result == [3]


def _lsn(client: CosmosClient) -> int:
    return int(client.client_connection.last_response_headers["lsn"])


def test_a_transactional_batch_advances_the_lsn_once(client: CosmosClient, container: ContainerProxy) -> None:
    container.create_item({"id": "before", "pk": "a"})
    before = _lsn(client)
    container.execute_item_batch([("create", ({"id": f"b{i}", "pk": "a"},)) for i in range(3)], partition_key="a")
    assert _lsn(client) == before + 1
    lsns = {d["id"]: d["_lsn"] for d in container.query_items_change_feed(start_time="Beginning", partition_key="a")}
    assert lsns["b0"] == lsns["b1"] == lsns["b2"] == before + 1


def test_batch_with_an_incomplete_hierarchical_key_is_rejected_whole(database: DatabaseProxy) -> None:
    container = database.create_container("hier", PartitionKey(["/a", "/b"], kind="MultiHash"))
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        container.execute_item_batch([("create", ({"id": "x", "a": "1", "b": "2"},))], partition_key=["1"])
    assert caught.value.status_code == 400
    assert list(container.read_all_items()) == []


def test_partition_key_empty_list_on_a_hierarchical_container_is_400(database: DatabaseProxy) -> None:
    container = database.create_container("hier2", PartitionKey(["/a", "/b"], kind="MultiHash"))
    container.create_item({"id": "x", "a": "1", "b": "2"})
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        container.read_item("x", partition_key=[])
    assert caught.value.status_code == 400


@pytest.mark.parametrize("ttl", [0, -10])
def test_invalid_default_ttl_is_refused(database: DatabaseProxy, ttl: int) -> None:
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        database.create_container(f"ttl{ttl}", PartitionKey("/pk"), default_ttl=ttl)
    assert caught.value.status_code == 400


def test_invalid_item_ttl_is_refused_on_a_ttl_container(database: DatabaseProxy) -> None:
    container = database.create_container("ttl-items", PartitionKey("/pk"), default_ttl=10)
    for ttl in (0, None, -10):
        with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
            container.create_item({"id": str(uuid.uuid4()), "pk": "a", "ttl": ttl})
        assert caught.value.status_code == 400


def test_negative_autoscale_maximum_is_refused(database: DatabaseProxy) -> None:
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        database.create_container(
            "auto", PartitionKey("/pk"), offer_throughput=ThroughputProperties(auto_scale_max_throughput=-200)
        )
    assert "Requested throughput -200 is less than required minimum throughput 1000" in str(caught.value)


@pytest.mark.parametrize(
    "computed",
    [
        {"name": "cp", "query": "SELECT VALUE LOWER(c.g) FROM c"},  # not a list
        [{"name": "_cp", "query": "SELECT VALUE 1 FROM c"}],  # system-style name
        [{"name": "cp", "query": "SELECT c.g FROM c"}],  # not SELECT VALUE
        [{"name": "cp", "query": "SELECT VALUE FROM c"}],  # not a query
    ],
)
def test_malformed_computed_properties_are_refused(database: DatabaseProxy, computed: Any) -> None:
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        database.create_container("cp", PartitionKey("/pk"), computed_properties=computed)
    assert caught.value.status_code == 400
    assert "One of the specified inputs is invalid" in caught.value.http_error_message


def test_computed_properties_are_evaluated_in_queries(database: DatabaseProxy) -> None:
    container = database.create_container(
        "computed",
        PartitionKey("/pk"),
        computed_properties=[{"name": "cp_lower", "query": "SELECT VALUE LOWER(c.g) FROM c"}],
    )
    for index, group in enumerate(["GroUp1", "group1", "GROUP2"]):
        container.create_item({"id": str(index), "pk": "a", "g": group})
    found = list(container.query_items("SELECT * FROM c WHERE c.cp_lower = 'group1'", partition_key="a"))
    assert sorted(d["id"] for d in found) == ["0", "1"]
    assert all("cp_lower" not in d for d in found)  # SELECT * leaves computed properties out
    projected: list[object] = list(
        container.query_items("SELECT VALUE c.cp_lower FROM c ORDER BY c.id", partition_key="a")
    )
    assert projected == ["group1", "group1", "group2"]


def test_upsert_of_a_new_item_with_if_match_creates_it(container: ContainerProxy) -> None:
    created = container.upsert_item(
        {"id": "fresh", "pk": "a"},
        etag='"00000000-0000-0000-0000-000000000000"',
        match_condition=MatchConditions.IfNotModified,
    )
    assert container.read_item("fresh", "a")["_etag"] == created["_etag"]


def test_azure_messages_for_an_empty_batch_and_long_ids(database: DatabaseProxy, container: ContainerProxy) -> None:
    with pytest.raises(exceptions.CosmosHttpResponseError) as empty_batch:
        container.execute_item_batch([], partition_key="a")
    assert "Batch request has no operations." in empty_batch.value.message
    with pytest.raises(exceptions.CosmosHttpResponseError) as long_id:
        database.create_container("c" * 256, PartitionKey("/pk"))
    assert "Ensure to provide a unique non-empty string less than '255' characters." in long_id.value.message


def test_query_metrics_and_index_utilization_when_asked(client: CosmosClient, container: ContainerProxy) -> None:
    container.create_item({"id": "m", "pk": "a"})
    list(container.query_items("SELECT * FROM c", partition_key="a", populate_query_metrics=True))
    headers = client.client_connection.last_response_headers
    metrics = headers["x-ms-documentdb-query-metrics"].split(";")
    assert len(metrics) > 1
    assert all("=" in metric for metric in metrics)
    list(container.query_items("SELECT * FROM c", partition_key="a", populate_index_metrics=True))
    raw = client.client_connection.last_response_headers["x-ms-cosmos-index-utilization"]
    utilization = raw if isinstance(raw, dict) else json.loads(base64.b64decode(raw))
    assert "UtilizedSingleIndexes" in utilization
    list(container.query_items("SELECT * FROM c", partition_key="a"))
    assert "x-ms-documentdb-query-metrics" not in client.client_connection.last_response_headers


def test_collection_statistics_and_quota(client: CosmosClient, container: ContainerProxy) -> None:
    container.create_item({"id": "s", "pk": "a"})
    properties = container.read(populate_partition_key_range_statistics=True, populate_quota_info=True)
    assert properties["statistics"][0]["documentCount"] == 1
    headers = client.client_connection.last_response_headers
    assert "documentsCount=1" in headers["x-ms-resource-usage"]
    assert "x-ms-documentdb-collection-index-transformation-progress" in headers


def test_conflicts_feed_is_empty_in_one_write_region(container: ContainerProxy) -> None:
    assert list(container.list_conflicts()) == []
    assert list(container.query_conflicts("SELECT * FROM c", enable_cross_partition_query=True)) == []
    assert list(container.query_conflicts("SELECT * FROM c", partition_key="a")) == []
    with pytest.raises(exceptions.CosmosHttpResponseError):
        list(container.query_conflicts("SELECT * FROM c"))
    with pytest.raises(exceptions.CosmosResourceNotFoundError):
        container.get_conflict("nope", partition_key="a")


def test_change_feed_by_partition_key_on_a_version_1_container(database: DatabaseProxy) -> None:
    container = database.create_container("v1", PartitionKey("/pk", version=1))
    for index in range(5):
        container.create_item({"id": f"a{index}", "pk": "short_string"})
        container.create_item({"id": f"b{index}", "pk": index})
    by_string = [
        d["id"] for d in container.query_items_change_feed(start_time="Beginning", partition_key="short_string")
    ]
    assert by_string == [f"a{index}" for index in range(5)]
    by_number = [d["id"] for d in container.query_items_change_feed(start_time="Beginning", partition_key=3)]
    assert by_number == ["b3"]


def test_batch_if_match_may_name_the_etag_from_before_the_batch(container: ContainerProxy) -> None:
    etag = container.create_item({"id": "r", "pk": "a"}).get_response_headers()["etag"]
    body = {"id": "r", "pk": "a", "n": 1}
    results = container.execute_item_batch(
        [("replace", ("r", body)), ("replace", ("r", {**body, "n": 2}), {"if_match_etag": etag})], partition_key="a"
    )
    assert [result["statusCode"] for result in results] == [200, 200]
    with pytest.raises(exceptions.CosmosBatchOperationError):
        container.execute_item_batch([("replace", ("r", body), {"if_match_etag": etag})], partition_key="a")


class _EmulatorEntraCredential:
    """The token Microsoft's emulator accepts for Entra ID: a JWT whose signature part is the account key."""

    def __init__(self, key: str) -> None:
        self.key = key

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        def part(raw: bytes) -> str:
            return base64.urlsafe_b64encode(raw).decode().rstrip("=")

        header = {"typ": "JWT", "alg": "RS256", "kid": "CosmosEmulatorPrimaryMaster"}
        claims = {"aud": "https://localhost.localhost", "exp": int(time.time()) + 3600, "tid": "EmulatorFederation"}
        token = ".".join(
            [part(json.dumps(header).encode()), part(json.dumps(claims).encode()), part(self.key.encode())]
        )
        return AccessToken(token, int(time.time()) + 3600)


def test_the_emulators_entra_id_token_is_accepted_and_others_are_not(
    emulator: Emulator, database: DatabaseProxy
) -> None:
    database.create_container("aad", PartitionKey("/pk"))
    with CosmosClient(emulator.https, credential=_EmulatorEntraCredential(emulator.key)) as entra:
        container = entra.get_database_client(database.id).get_container_client("aad")
        container.create_item({"id": "e", "pk": "a"})
        assert container.read_item("e", "a")["id"] == "e"
    with pytest.raises(exceptions.CosmosHttpResponseError) as refused:
        CosmosClient(emulator.https, credential=_EmulatorEntraCredential("not-the-key")).get_database_client(
            database.id
        ).read()
    assert refused.value.status_code == 401


def test_localhost_clients_are_told_the_account_is_at_127_0_0_1(emulator: Emulator) -> None:
    with CosmosClient(f"http://localhost:{emulator.port}/", credential=emulator.key) as client:
        assert client.client_connection.WriteEndpoint == f"http://127.0.0.1:{emulator.port}/"
        assert list(client.list_databases()) is not None
