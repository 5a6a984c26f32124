"""Error answers on the wire that the SDK cannot be made to provoke: status, substatus and body shape."""

from __future__ import annotations

import uuid

import pytest
from azure.cosmos import CosmosClient, PartitionKey, exceptions

from tests.emulators.cosmos.cosmos_harness import Emulator, start_emulator
from tests.emulators.cosmos.signed_http import signed


@pytest.fixture
def names(client: CosmosClient) -> tuple[str, str]:
    db = f"wire-{uuid.uuid4().hex[:8]}"
    client.create_database(db).create_container("c", PartitionKey("/pk"))
    return db, "c"


def test_partition_key_in_body_differs_from_header_is_400_1001(emulator: Emulator, names: tuple[str, str]) -> None:
    db, coll = names
    response = signed(
        emulator,
        "POST",
        f"/dbs/{db}/colls/{coll}/docs",
        "docs",
        f"dbs/{db}/colls/{coll}",
        body={"id": "x", "pk": "a"},
        headers={"x-ms-documentdb-partitionkey": '["b"]'},
    )
    assert response.status == 400
    assert response.headers["x-ms-substatus"] == "1001"
    assert response.body["code"] == "BadRequest"


def test_stale_container_rid_is_400_1024(emulator: Emulator, names: tuple[str, str]) -> None:
    db, coll = names
    response = signed(
        emulator,
        "GET",
        f"/dbs/{db}/colls/{coll}/docs/x",
        "docs",
        f"dbs/{db}/colls/{coll}/docs/x",
        headers={"x-ms-documentdb-partitionkey": '["a"]', "x-ms-cosmos-intended-collection-rid": "AAAAAAAAAAA="},
    )
    assert response.status == 400
    assert response.headers["x-ms-substatus"] == "1024"


def test_unknown_path_is_404_and_wrong_verb_is_405(emulator: Emulator, names: tuple[str, str]) -> None:
    db, coll = names
    assert (
        signed(emulator, "GET", f"/dbs/{db}/colls/{coll}/nonsense", "nonsense", f"dbs/{db}/colls/{coll}").status == 404
    )
    assert signed(emulator, "PATCH", f"/dbs/{db}", "dbs", f"dbs/{db}").status == 405


def test_unknown_change_feed_mode_or_wire_format_is_400(emulator: Emulator, names: tuple[str, str]) -> None:
    db, coll = names
    path, link = f"/dbs/{db}/colls/{coll}/docs", f"dbs/{db}/colls/{coll}"
    unknown = signed(emulator, "GET", path, "docs", link, headers={"a-im": "Bogus Feed"})
    assert unknown.status == 400
    assert "AllVersionsAndDeletes" in unknown.body["message"]
    headers = {"a-im": "Full-Fidelity Feed", "x-ms-cosmos-changefeed-wire-format-version": "1999-01-01"}
    old_format = signed(emulator, "GET", path, "docs", link, headers=headers)
    assert old_format.status == 400
    assert "2021-09-15" in old_format.body["message"]


def test_malformed_json_is_400(emulator: Emulator, names: tuple[str, str]) -> None:
    db, coll = names
    response = signed(
        emulator,
        "POST",
        f"/dbs/{db}/colls/{coll}/docs",
        "docs",
        f"dbs/{db}/colls/{coll}",
        body="not an object",
        headers={"x-ms-documentdb-partitionkey": '["a"]'},
    )
    assert response.status == 400


def test_foreign_continuation_token_is_400(emulator: Emulator, names: tuple[str, str]) -> None:
    db, coll = names
    # Scoped to one partition key: the partition's token names its query (a gateway token between
    # partitions, {"token": null, "range": ...}, names none, as on Azure).
    common = {
        "x-ms-documentdb-isquery": "True",
        "content-type": "application/query+json",
        "x-ms-max-item-count": "1",
        "x-ms-documentdb-partitionkey": '["a"]',
    }
    path, link = f"/dbs/{db}/colls/{coll}/docs", f"dbs/{db}/colls/{coll}"
    for index in range(3):
        signed(
            emulator,
            "POST",
            path,
            "docs",
            link,
            body={"id": str(index), "pk": "a"},
            headers={"x-ms-documentdb-partitionkey": '["a"]'},
        )
    first = signed(emulator, "POST", path, "docs", link, body={"query": "SELECT * FROM c"}, headers=common)
    token = first.headers["x-ms-continuation"]
    other = signed(
        emulator,
        "POST",
        path,
        "docs",
        link,
        body={"query": "SELECT c.id FROM c"},
        headers={**common, "x-ms-continuation": token},
    )
    assert other.status == 400
    garbage = signed(
        emulator,
        "POST",
        path,
        "docs",
        link,
        body={"query": "SELECT * FROM c"},
        headers={**common, "x-ms-continuation": "%%%not-a-token"},
    )
    assert garbage.status == 400


def test_strict_mode_refuses_cross_partition_group_by(tmp_path_factory: pytest.TempPathFactory) -> None:
    strict = start_emulator(
        tmp_path_factory.mktemp("strict") / "data", "--in-memory", "--strict-queries", "--partitions", "5"
    )
    try:
        client = CosmosClient(strict.http, credential=strict.key)
        container = client.create_database("s").create_container("c", PartitionKey("/pk"))
        container.create_item({"id": "1", "pk": "a", "g": 1})
        query = "SELECT c.g, COUNT(1) AS n FROM c GROUP BY c.g"
        assert list(container.query_items(query, partition_key="a")) == [{"g": 1, "n": 1}]
        with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
            list(container.query_items(query, enable_cross_partition_query=True))
        assert caught.value.status_code == 400
        assert "only supports 'VALUE <AggregateFunc>'" in str(caught.value.message)
    finally:
        strict.process.stop()


def test_a_stored_procedure_without_a_body_is_refused_with_400(client: CosmosClient, names: tuple[str, str]) -> None:
    db, coll = names
    container = client.get_database_client(db).get_container_client(coll)
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        container.scripts.create_stored_procedure({"id": "sp", "body": "  "})
    assert caught.value.status_code == 400
    assert "needs a JavaScript 'body'" in str(caught.value.message)
