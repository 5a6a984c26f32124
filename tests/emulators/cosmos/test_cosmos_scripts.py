"""Server-side JavaScript through the real azure-cosmos SDK: stored procedures, triggers and UDFs."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from azure.cosmos import ContainerProxy, DatabaseProxy
from azure.cosmos.aio import CosmosClient as AsyncCosmosClient
from azure.cosmos.exceptions import CosmosHttpResponseError

from tests.emulators.cosmos.cosmos_harness import Emulator

WRITE_TWO = """
function writeTwo(prefix, fail) {
    var collection = getContext().getCollection();
    var link = collection.getSelfLink();
    var accepted = collection.createDocument(link, {id: prefix + '-1', pk: 'p'}, function (err, doc) {
        if (err) throw err;
        collection.createDocument(collection.getSelfLink(), {id: prefix + '-2', pk: 'p'}, function (err2, doc2) {
            if (err2) throw err2;
            if (fail) throw new Error('refused by the script');
            getContext().getResponse().setBody({first: doc.id, second: doc2.id});
        });
    });
    if (!accepted) throw new Error('not accepted');
}
"""

QUERY_AND_REPLACE = """
function bump(amount) {
    var collection = getContext().getCollection();
    collection.queryDocuments(collection.getSelfLink(),
        {query: 'SELECT * FROM c WHERE c.n >= @min', parameters: [{name: '@min', value: 0}]}, {},
        function (err, docs) {
            if (err) throw err;
            var done = 0;
            docs.forEach(function (doc) {
                doc.n += amount;
                collection.replaceDocument(doc._self, doc, function (e) {
                    if (e) throw e;
                    done += 1;
                    if (done === docs.length) getContext().getResponse().setBody(done);
                });
            });
        });
}
"""

BULK_CREATE = """
function bulk(count, start) {
    var collection = getContext().getCollection();
    var created = start;
    function next() {
        if (created >= count) { getContext().getResponse().setBody({created: created, done: true}); return; }
        var ok = collection.createDocument(collection.getSelfLink(), {id: 'b' + created, pk: 'p'}, function (err) {
            if (err) throw err;
            created += 1;
            next();
        });
        if (!ok) getContext().getResponse().setBody({created: created, done: false});
    }
    next();
}
"""


def _args(*values: Any) -> Any:
    """Procedure arguments (the SDK's annotation says dicts; Azure takes any JSON values)."""
    return list(values)


def test_a_stored_procedure_writes_and_answers(container: ContainerProxy) -> None:
    container.scripts.create_stored_procedure({"id": "writeTwo", "body": WRITE_TWO})
    result = container.scripts.execute_stored_procedure("writeTwo", partition_key="p", params=_args("a", False))
    assert result == {"first": "a-1", "second": "a-2"}
    assert container.read_item("a-2", partition_key="p")["pk"] == "p"


def test_a_throw_rolls_back_every_write_with_the_scripts_message(container: ContainerProxy) -> None:
    container.scripts.create_stored_procedure({"id": "writeTwo", "body": WRITE_TWO})
    with pytest.raises(CosmosHttpResponseError) as raised:
        container.scripts.execute_stored_procedure("writeTwo", partition_key="p", params=_args("b", True))
    assert raised.value.status_code == 400
    assert "refused by the script" in str(raised.value)
    assert list(container.query_items("SELECT * FROM c", partition_key="p")) == []


def test_query_and_replace_inside_a_procedure(container: ContainerProxy) -> None:
    for index in range(3):
        container.create_item({"id": f"n{index}", "pk": "p", "n": index})
    container.scripts.create_stored_procedure({"id": "bump", "body": QUERY_AND_REPLACE})
    assert container.scripts.execute_stored_procedure("bump", partition_key="p", params=_args(10)) == 3
    assert sorted(item["n"] for item in container.query_items("SELECT * FROM c", partition_key="p")) == [10, 11, 12]


def test_not_accepted_lets_the_client_continue(container: ContainerProxy) -> None:
    container.scripts.create_stored_procedure({"id": "bulk", "body": BULK_CREATE})
    first = container.scripts.execute_stored_procedure("bulk", partition_key="p", params=_args(700, 0))
    assert first["done"] is False
    assert 0 < first["created"] < 700
    second = container.scripts.execute_stored_procedure("bulk", partition_key="p", params=_args(700, first["created"]))
    assert second == {"created": 700, "done": True}
    assert len(list(container.query_items("SELECT VALUE c.id FROM c", partition_key="p"))) == 700


def test_procedure_crud(container: ContainerProxy) -> None:
    container.scripts.create_stored_procedure({"id": "s1", "body": "function s1() {}"})
    assert [s["id"] for s in container.scripts.list_stored_procedures()] == ["s1"]
    replaced = container.scripts.replace_stored_procedure(
        "s1", {"id": "s1", "body": "function s1() { getContext().getResponse().setBody(1); }"}
    )
    assert "setBody(1)" in replaced["body"]
    assert container.scripts.execute_stored_procedure("s1", partition_key="x") == 1
    container.scripts.delete_stored_procedure("s1")
    with pytest.raises(CosmosHttpResponseError) as raised:
        container.scripts.get_stored_procedure("s1")
    assert raised.value.status_code == 404


def test_an_endless_script_is_stopped(container: ContainerProxy) -> None:
    container.scripts.create_stored_procedure({"id": "spin", "body": "function spin() { while (true) {} }"})
    with pytest.raises(CosmosHttpResponseError) as raised:
        container.scripts.execute_stored_procedure("spin", partition_key="p")
    assert raised.value.status_code == 408


def test_a_udf_in_a_query(container: ContainerProxy) -> None:
    container.create_item({"id": "1", "pk": "p", "price": 10})
    container.scripts.create_user_defined_function(
        {"id": "tax", "body": "function tax(price) { return price * 1.25; }"}
    )
    rows: list[Any] = list(container.query_items("SELECT VALUE udf.tax(c.price) FROM c", partition_key="p"))
    assert rows == [12.5]
    crossed = list(
        container.query_items("SELECT c.id, udf.tax(c.price) AS t FROM c", enable_cross_partition_query=True)
    )
    assert crossed == [{"id": "1", "t": 12.5}]


STAMP = """
function stamp() {
    var request = getContext().getRequest();
    var doc = request.getBody();
    doc.stamped = true;
    request.setBody(doc);
}
"""

AUDIT = """
function audit() {
    var created = getContext().getResponse().getBody();
    if (created.refuse) throw new Error('audit refused ' + created.id);
    var collection = getContext().getCollection();
    collection.createDocument(collection.getSelfLink(), {id: 'audit-' + created.id, pk: created.pk}, function (err) {
        if (err) throw err;
    });
}
"""


def test_pre_and_post_triggers_on_create(container: ContainerProxy) -> None:
    container.scripts.create_trigger({"id": "stamp", "body": STAMP, "triggerType": "Pre", "triggerOperation": "Create"})
    container.scripts.create_trigger({"id": "audit", "body": AUDIT, "triggerType": "Post", "triggerOperation": "All"})
    created = container.create_item({"id": "t1", "pk": "p"}, pre_trigger_include="stamp", post_trigger_include="audit")
    assert created["stamped"] is True
    assert container.read_item("audit-t1", partition_key="p")["id"] == "audit-t1"
    with pytest.raises(CosmosHttpResponseError) as raised:
        container.create_item({"id": "t2", "pk": "p", "refuse": True}, post_trigger_include="audit")
    assert raised.value.status_code == 400
    assert "audit refused t2" in str(raised.value)
    ids: list[Any] = sorted(container.query_items("SELECT VALUE c.id FROM c", partition_key="p"))
    assert ids == ["audit-t1", "t1"]


GUARD_DELETE = """
function guardDelete() {
    throw new Error('deletes are audited: refused');
}
"""


def test_triggers_on_replace_and_delete(container: ContainerProxy) -> None:
    container.scripts.create_trigger({"id": "stamp", "body": STAMP, "triggerType": "Pre", "triggerOperation": "All"})
    container.scripts.create_trigger(
        {"id": "guard", "body": GUARD_DELETE, "triggerType": "Pre", "triggerOperation": "Delete"}
    )
    container.create_item({"id": "r1", "pk": "p"})
    replaced = container.replace_item("r1", {"id": "r1", "pk": "p", "v": 2}, pre_trigger_include="stamp")
    assert replaced["stamped"] is True
    with pytest.raises(CosmosHttpResponseError) as raised:
        container.delete_item("r1", partition_key="p", pre_trigger_include="guard")
    assert "deletes are audited" in str(raised.value)
    assert container.read_item("r1", partition_key="p")["v"] == 2
    with pytest.raises(CosmosHttpResponseError) as wrong_kind:
        container.create_item({"id": "r2", "pk": "p"}, pre_trigger_include="guard")
    assert wrong_kind.value.status_code == 400


def test_a_procedure_through_the_async_sdk(
    emulator: Emulator, database: DatabaseProxy, container: ContainerProxy
) -> None:
    async def run() -> Any:
        async with AsyncCosmosClient(emulator.http, credential=emulator.key) as client:
            mine = client.get_database_client(database.id).get_container_client(container.id)
            await mine.scripts.create_stored_procedure({"id": "writeTwo", "body": WRITE_TWO})
            result = await mine.scripts.execute_stored_procedure(
                "writeTwo", partition_key="p", parameters=_args("z", False)
            )
            read = await mine.read_item("z-1", partition_key="p")
            return result, read["id"]

    assert asyncio.run(run()) == ({"first": "z-1", "second": "z-2"}, "z-1")


def test_a_throwing_udf_is_a_400_naming_it(container: ContainerProxy) -> None:
    container.create_item({"id": "1", "pk": "p", "price": 10})
    container.scripts.create_user_defined_function(
        {"id": "strict", "body": "function strict(x) { throw new Error('no price ' + x); }"}
    )
    with pytest.raises(CosmosHttpResponseError) as raised:
        list(container.query_items("SELECT VALUE udf.strict(c.price) FROM c", partition_key="p"))
    assert raised.value.status_code == 400
    assert "udf.strict" in str(raised.value)
    assert "no price 10" in str(raised.value)
