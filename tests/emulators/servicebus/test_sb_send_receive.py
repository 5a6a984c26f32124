"""Send and receive through the unmodified SDK: properties, batches, modes, prefetch, peek."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceiveMode
from azure.servicebus.amqp import AmqpMessageBodyType

from tests.emulators.servicebus.conftest import Emulator

pytestmark = pytest.mark.emulator


def test_single_message_keeps_every_property_and_application_property_type(conn_str: str) -> None:
    stamp = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    ident = uuid.uuid4()
    sent = ServiceBusMessage(
        b"\x00\x01binary-body",
        # the SDK's annotation omits datetime and None, which it does encode
        application_properties=cast(
            Any,
            {
                "int": 7,
                "neg": -3,
                "float": 1.5,
                "bool": True,
                "str": "héllo",
                "uuid": ident,
                "when": stamp,
                "none": None,
            },
        ),
        message_id="mid-1",
        correlation_id="cid-1",
        subject="subj",
        content_type="application/octet-stream",
        reply_to="replies",
        to="dest",
        reply_to_session_id="rsid",
        time_to_live=timedelta(minutes=5),
        partition_key=None,
    )
    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_queue_sender("q") as sender:
            sender.send_messages(sent)
        with client.get_queue_receiver("q", max_wait_time=5) as receiver:
            (got,) = receiver.receive_messages(max_message_count=1, max_wait_time=5)
            receiver.complete_message(got)
    assert b"".join(got.body) == b"\x00\x01binary-body"
    assert (got.message_id, got.correlation_id, got.subject) == ("mid-1", "cid-1", "subj")
    assert (got.content_type, got.reply_to, got.to, got.reply_to_session_id) == (
        "application/octet-stream",
        "replies",
        "dest",
        "rsid",
    )
    assert got.time_to_live == timedelta(minutes=5)
    assert got.application_properties is not None
    props: dict[str, Any] = {
        k.decode() if isinstance(k, bytes) else k: v for k, v in got.application_properties.items()
    }
    assert props["int"] == 7
    assert props["neg"] == -3
    assert props["float"] == 1.5
    assert props["bool"] is True
    assert props["str"] in ("héllo", "héllo".encode())
    assert props["when"] == int(stamp.timestamp() * 1000)  # pyamqp hands timestamps back as ms
    assert props["uuid"] == ident
    assert props["none"] is None
    assert got.sequence_number == 1
    assert got.delivery_count == 0
    assert got.enqueued_time_utc is not None
    assert abs(got.enqueued_time_utc - datetime.now(UTC)) < timedelta(minutes=1)


def test_batch_and_list_sends_arrive_in_order_with_value_and_sequence_bodies(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_queue_sender("q") as sender:
            batch = sender.create_message_batch()
            for i in range(25):
                batch.add_message(ServiceBusMessage(f"b{i}"))
            sender.send_messages(batch)
            sender.send_messages([ServiceBusMessage(f"l{i}") for i in range(5)])
        with client.get_queue_receiver("q", receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as receiver:
            bodies: list[str] = []
            while len(bodies) < 30:
                got = receiver.receive_messages(max_message_count=30, max_wait_time=3)
                assert got, f"only {len(bodies)} arrived"
                bodies += [str(m) for m in got]
    assert bodies == [f"b{i}" for i in range(25)] + [f"l{i}" for i in range(5)]


def test_receive_and_delete_removes_messages(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        with client.get_queue_sender("q") as sender:
            sender.send_messages([ServiceBusMessage(str(i)) for i in range(3)])
        with client.get_queue_receiver("q", receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as receiver:
            got = receiver.receive_messages(max_message_count=3, max_wait_time=3)
    assert sorted(str(m) for m in got) == ["0", "1", "2"]
    assert sb.counts("q")["total"] == 0


def test_prefetch_delivers_all_messages_once(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        with client.get_queue_sender("q") as sender:
            sender.send_messages([ServiceBusMessage(str(i)) for i in range(40)])
        seen: list[int] = []
        with client.get_queue_receiver("q", prefetch_count=10, max_wait_time=2) as receiver:
            for message in receiver:
                seen.append(message.sequence_number or 0)
                receiver.complete_message(message)
                if len(seen) == 40:
                    break
    assert sorted(seen) == list(range(1, 41))
    assert sb.counts("q")["total"] == 0


def test_peek_sees_messages_without_locking_them(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        with client.get_queue_sender("q") as sender:
            sender.send_messages([ServiceBusMessage(f"p{i}") for i in range(4)])
        with client.get_queue_receiver("q", max_wait_time=3) as receiver:
            first = receiver.peek_messages(max_message_count=2)
            rest = receiver.peek_messages(max_message_count=10)
            locked = receiver.receive_messages(max_message_count=4, max_wait_time=3)
    assert [str(m) for m in first] == ["p0", "p1"]
    assert [m.sequence_number for m in rest] == [3, 4]
    assert len(locked) == 4


def test_amqp_value_body_round_trips(conn_str: str) -> None:
    from azure.servicebus.amqp import AmqpAnnotatedMessage

    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_queue_sender("q") as sender:
            sender.send_messages(AmqpAnnotatedMessage(value_body={"k": [1, 2, "x"]}))
        with client.get_queue_receiver("q", receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as receiver:
            (got,) = receiver.receive_messages(max_message_count=1, max_wait_time=3)
    assert got.body_type == AmqpMessageBodyType.VALUE
    assert got.body in ({"k": [1, 2, "x"]}, {b"k": [1, 2, b"x"]})
