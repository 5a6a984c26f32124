"""The management API through the real `ServiceBusAdministrationClient` (sync, and an aio smoke test).

The administration client speaks ATOM over HTTPS to the connection string's host and port; the emulator
answers it on the AMQP port (TLS is told apart from AMQP by the first byte) and on the control port, and
every change acts on the broker the messaging client uses.
"""

from __future__ import annotations

import ssl
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
)
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusSubQueue
from azure.servicebus.aio.management import ServiceBusAdministrationClient as AsyncAdministrationClient
from azure.servicebus.exceptions import MessagingEntityNotFoundError
from azure.servicebus.management import (
    CorrelationRuleFilter,
    ServiceBusAdministrationClient,
    SqlRuleAction,
    SqlRuleFilter,
    TrueRuleFilter,
)

from local_emulators.servicebus.sas import generate_sas_token
from tests.emulators.servicebus.conftest import KEY, KEY_NAME, Emulator, connection_string, launch

pytestmark = pytest.mark.emulator
Admin = ServiceBusAdministrationClient


def _certificate(sb: Emulator) -> str:
    """The emulator's certificate, which it writes in the background right after it is ready."""
    path = sb.data_dir / "servicebus-emulator.crt"
    deadline = time.monotonic() + 10
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return str(path)


def _admin(sb: Emulator, port: int | None = None, key: str = KEY) -> ServiceBusAdministrationClient:
    conn = connection_string(port or sb.port, key)
    return ServiceBusAdministrationClient.from_connection_string(conn, connection_verify=_certificate(sb))


@pytest.fixture
def admin(sb: Emulator) -> Iterator[ServiceBusAdministrationClient]:
    with _admin(sb) as client:
        yield client


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _peek(client: ServiceBusClient, topic: str, subscription: str) -> list[str]:
    with client.get_subscription_receiver(topic, subscription) as receiver:
        return sorted(str(m) for m in receiver.peek_messages(max_message_count=20))


def test_a_created_queue_is_usable_at_once_and_reports_its_counts(
    sb: Emulator, admin: ServiceBusAdministrationClient
) -> None:
    name = _name("mq")
    created = admin.create_queue(name, max_delivery_count=4, lock_duration=timedelta(seconds=30), user_metadata="m")
    assert (created.name, created.max_delivery_count, created.lock_duration) == (name, 4, timedelta(seconds=30))
    fetched = admin.get_queue(name)
    assert (fetched.user_metadata, fetched.requires_session, fetched.status) == ("m", False, "Active")
    # Azure's default: messages never expire (TimeSpan.MaxValue)
    assert fetched.default_message_time_to_live == timedelta(days=10675199, seconds=10085, microseconds=477581)
    assert name in [q.name for q in admin.list_queues()]
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        with client.get_queue_sender(name) as sender:
            sender.send_messages([ServiceBusMessage(f"m{i}") for i in range(3)])
        runtime = admin.get_queue_runtime_properties(name)
        assert (runtime.active_message_count, runtime.total_message_count) == (3, 3)
        assert (runtime.size_in_bytes or 0) > 0
        with client.get_queue_receiver(name, max_wait_time=2) as receiver:
            first = receiver.receive_messages(max_message_count=1)[0]
            receiver.dead_letter_message(first, reason="test")
        runtime = admin.get_queue_runtime_properties(name)
    assert (runtime.active_message_count, runtime.dead_letter_message_count, runtime.total_message_count) == (2, 1, 3)


def test_updates_take_effect_on_the_live_queue(sb: Emulator, admin: Admin) -> None:
    name = _name("mq")
    admin.create_queue(name, max_delivery_count=5)
    queue = admin.get_queue(name)
    queue.max_delivery_count = 1
    queue.lock_duration = timedelta(seconds=10)
    admin.update_queue(queue)
    assert (admin.get_queue(name).max_delivery_count, admin.get_queue(name).lock_duration) == (1, timedelta(seconds=10))
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        with client.get_queue_sender(name) as sender:
            sender.send_messages(ServiceBusMessage("once"))
        with client.get_queue_receiver(name, max_wait_time=2) as receiver:
            message = receiver.receive_messages(max_message_count=1)[0]
            assert message.locked_until_utc is not None
            lock_left = message.locked_until_utc - datetime.now(UTC)
            assert timedelta(seconds=5) < lock_left <= timedelta(seconds=10)  # the new lock duration, not 60 s
            receiver.abandon_message(message)  # one delivery is all MaxDeliveryCount 1 allows
        with client.get_queue_receiver(name, sub_queue=ServiceBusSubQueue.DEAD_LETTER, max_wait_time=2) as dlq:
            dead = dlq.receive_messages(max_message_count=1)
    assert [str(m) for m in dead] == ["once"]
    assert dead[0].dead_letter_reason == "MaxDeliveryCountExceeded"


def test_delete_removes_the_entity_for_both_clients(sb: Emulator, admin: Admin) -> None:
    name = _name("mq")
    admin.create_queue(name)
    admin.delete_queue(name)
    with pytest.raises(ResourceNotFoundError):
        admin.get_queue(name)
    with pytest.raises(ResourceNotFoundError):
        admin.delete_queue(name)
    assert name not in [q.name for q in admin.list_queues()]
    client = ServiceBusClient.from_connection_string(sb.connection_string)
    with client, pytest.raises(MessagingEntityNotFoundError), client.get_queue_sender(name) as sender:
        sender.send_messages(ServiceBusMessage("nobody home"))


def test_conflicts_missing_entities_and_invalid_properties_get_azures_status(
    admin: ServiceBusAdministrationClient,
) -> None:
    name = _name("mq")
    admin.create_queue(name, requires_session=True)
    with pytest.raises(ResourceExistsError):
        admin.create_queue(name)
    never_created = admin.get_queue(name)
    never_created.name = _name("never")
    with pytest.raises(ResourceNotFoundError):
        admin.update_queue(never_created)
    with pytest.raises(ResourceNotFoundError):
        admin.get_subscription("no-such-topic", "s")
    for bad in ({"lock_duration": timedelta(minutes=10)}, {"max_delivery_count": 0}):
        with pytest.raises(HttpResponseError) as refused:
            admin.create_queue(_name("bad"), **bad)
        assert refused.value.status_code == 400
    with pytest.raises(HttpResponseError) as refused:
        admin.create_queue("bad name!")
    assert refused.value.status_code == 400
    with pytest.raises(HttpResponseError) as refused:  # Azure cannot turn sessions off on an existing queue
        admin.update_queue(admin.get_queue(name), requires_session=False)
    assert refused.value.status_code == 400


def test_lists_page_through_the_next_link(admin: Admin) -> None:
    prefix = _name("page")
    names = [f"{prefix}-{i}" for i in range(3)]
    for name in names:
        admin.create_topic(name)
    listed = [t.name for t in admin.list_topics(max_page_size=2)]
    assert [n for n in listed if n.startswith(prefix)] == names
    runtime = [t for t in admin.list_topics_runtime_properties() if t.name.startswith(prefix)]
    assert [t.subscription_count for t in runtime] == [0, 0, 0]


def test_subscription_rules_filter_and_act_on_what_the_topic_delivers(
    sb: Emulator, admin: ServiceBusAdministrationClient
) -> None:
    topic = _name("mt")
    admin.create_topic(topic)
    for sub in ("all", "red", "corr"):
        admin.create_subscription(topic, sub, max_delivery_count=3)
    admin.create_rule(
        topic,
        "red",
        "red-only",
        filter=SqlRuleFilter("color = @c", parameters={"@c": "red"}),
        action=SqlRuleAction("SET handled = 'yes'"),
    )
    admin.delete_rule(topic, "red", "$Default")
    admin.create_rule(
        topic, "corr", "important", filter=CorrelationRuleFilter(correlation_id="c1", properties={"n": 7})
    )
    admin.delete_rule(topic, "corr", "$Default")
    rules = {r.name: r for r in admin.list_rules(topic, "red")}
    assert list(rules) == ["red-only"]
    sql, action = rules["red-only"].filter, rules["red-only"].action
    assert isinstance(sql, SqlRuleFilter)
    assert isinstance(action, SqlRuleAction)
    assert (sql.sql_expression, sql.parameters) == ("color = @c", {"@c": "red"})
    assert action.sql_expression == "SET handled = 'yes'"
    corr = admin.get_rule(topic, "corr", "important").filter
    assert isinstance(corr, CorrelationRuleFilter)
    assert (corr.correlation_id, corr.properties) == ("c1", {"n": 7})
    messages = [
        ServiceBusMessage("red", application_properties={"color": "red"}),
        ServiceBusMessage("blue", application_properties={"color": "blue"}),
        ServiceBusMessage("c1-7", correlation_id="c1", application_properties={"n": 7}),
        ServiceBusMessage("c1-8", correlation_id="c1", application_properties={"n": 8}),
    ]
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        with client.get_topic_sender(topic) as sender:
            sender.send_messages(messages)
        assert _peek(client, topic, "all") == ["blue", "c1-7", "c1-8", "red"]
        assert _peek(client, topic, "corr") == ["c1-7"]
        with client.get_subscription_receiver(topic, "red", max_wait_time=2) as receiver:
            (red,) = receiver.receive_messages(max_message_count=1)
            receiver.complete_message(red)
        assert (str(red), (red.application_properties or {}).get(b"handled")) == ("red", b"yes")
        runtime = admin.get_subscription_runtime_properties(topic, "all")
        assert (runtime.active_message_count, runtime.total_message_count) == (4, 4)
        rule = admin.get_rule(topic, "corr", "important")
        rule.filter = TrueRuleFilter()
        admin.update_rule(topic, "corr", rule)
        with client.get_topic_sender(topic) as sender:
            sender.send_messages(ServiceBusMessage("anything"))
        assert _peek(client, topic, "corr") == ["anything", "c1-7"]


def test_subscription_update_delete_and_topic_delete(sb: Emulator, admin: Admin) -> None:
    topic = _name("mt")
    admin.create_topic(topic, default_message_time_to_live=timedelta(hours=2))
    admin.create_subscription(topic, "s1", lock_duration=timedelta(seconds=20))
    admin.create_subscription(topic, "s2")
    assert admin.get_topic_runtime_properties(topic).subscription_count == 2
    subscription = admin.get_subscription(topic, "s1")
    assert subscription.lock_duration == timedelta(seconds=20)
    admin.update_subscription(topic, subscription, max_delivery_count=2)
    assert admin.get_subscription(topic, "s1").max_delivery_count == 2
    assert [r.name for r in admin.list_rules(topic, "s2")] == ["$Default"]
    admin.delete_subscription(topic, "s2")
    assert [s.name for s in admin.list_subscriptions(topic)] == ["s1"]
    with pytest.raises(ResourceExistsError):
        admin.create_subscription(topic, "s1")
    admin.delete_topic(topic)
    with pytest.raises(ResourceNotFoundError):
        admin.get_topic(topic)
    client = ServiceBusClient.from_connection_string(sb.connection_string)
    with client, pytest.raises(MessagingEntityNotFoundError), client.get_subscription_receiver(topic, "s1") as gone:
        gone.receive_messages(max_wait_time=1)


def test_configured_entities_are_described_with_their_rules(admin: Admin) -> None:
    queue = admin.get_queue("q")
    assert queue.name == "q"
    assert {r.name: type(r.filter).__name__ for r in admin.list_rules("t", "corr")} == {"r": "CorrelationRuleFilter"}
    assert {s.name for s in admin.list_subscriptions("t")} >= {"all", "sql", "corr"}
    namespace = admin.get_namespace_properties()
    assert (namespace.name, namespace.messaging_sku) == ("sbemulatorns", "Standard")


def test_a_wrong_key_or_no_token_is_refused(sb: Emulator) -> None:
    with _admin(sb, key="not-the-key") as wrong, pytest.raises(ClientAuthenticationError):
        wrong.get_queue("q")
    request = urllib.request.Request(f"http://127.0.0.1:{sb.control_port}/$Resources/queues?api-version=2021-05")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401


def test_the_management_port_serves_https_and_plain_http(sb: Emulator) -> None:
    with _admin(sb, port=sb.control_port) as on_management_port:
        assert "q" in [q.name for q in on_management_port.list_queues()]
    # Microsoft's emulator serves the API over plain HTTP on 5300; .NET and patched clients call it so.
    url = f"http://127.0.0.1:{sb.control_port}/q?api-version=2021-05"
    token = generate_sas_token(
        f"https://127.0.0.1:{sb.control_port}", KEY_NAME, KEY, datetime.now(UTC).timestamp() + 60
    )
    request = urllib.request.Request(url, headers={"Authorization": token})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert b"<QueueDescription" in response.read()


def test_malformed_bodies_are_400_and_the_port_keeps_serving(sb: Emulator, admin: Admin) -> None:
    url = f"https://127.0.0.1:{sb.port}/bad-body?api-version=2021-05"
    token = generate_sas_token(f"https://127.0.0.1:{sb.port}", KEY_NAME, KEY, datetime.now(UTC).timestamp() + 60)
    context = ssl.create_default_context(cafile=_certificate(sb))
    deep = b"<entry><content>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</content></entry>"
    for body in (b"<entry><content>not closed", deep, b'<!DOCTYPE x [<!ENTITY e "e">]><entry/>'):
        request = urllib.request.Request(url, data=body, method="PUT", headers={"Authorization": token})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10, context=context)
        assert refused.value.code == 400
    assert "q" in [q.name for q in admin.list_queues()]


async def test_aio_administration_client_smoke(sb: Emulator) -> None:
    name = _name("aq")
    async with AsyncAdministrationClient.from_connection_string(
        sb.connection_string, connection_verify=_certificate(sb)
    ) as admin:
        await admin.create_queue(name, max_delivery_count=2)
        assert (await admin.get_queue(name)).max_delivery_count == 2
        assert (await admin.get_queue_runtime_properties(name)).total_message_count == 0
        assert name in [q.name async for q in admin.list_queues()]
        await admin.delete_queue(name)
        with pytest.raises(ResourceNotFoundError):
            await admin.get_queue(name)


def test_entities_made_through_the_api_survive_a_crash_with_their_messages(tmp_path: Path) -> None:
    first = launch(tmp_path)
    try:
        with _admin(first) as admin:
            admin.create_queue("made-at-runtime", max_delivery_count=6)
            admin.create_topic("t-runtime")
            admin.create_subscription("t-runtime", "s")
            admin.create_rule("t-runtime", "s", "big", filter=SqlRuleFilter("size > 5"))
            admin.delete_rule("t-runtime", "s", "$Default")
            admin.delete_queue("q-ttl")  # a configured queue, deleted for good
        client = ServiceBusClient.from_connection_string(first.connection_string)
        with client, client.get_queue_sender("made-at-runtime") as sender:
            sender.send_messages(ServiceBusMessage("kept"))
        first.process.kill_hard()
    finally:
        first.process.stop()
    second = launch(tmp_path, data_dir=first.data_dir)
    try:
        with _admin(second) as admin:
            assert admin.get_queue("made-at-runtime").max_delivery_count == 6
            assert [r.name for r in admin.list_rules("t-runtime", "s")] == ["big"]
            with pytest.raises(ResourceNotFoundError):
                admin.get_queue("q-ttl")
        client = ServiceBusClient.from_connection_string(second.connection_string)
        with client, client.get_queue_receiver("made-at-runtime", max_wait_time=2) as receiver:
            assert [str(m) for m in receiver.receive_messages(max_message_count=1)] == ["kept"]
    finally:
        second.process.stop()
