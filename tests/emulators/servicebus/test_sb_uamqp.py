"""The Python SDK on its uAMQP transport (the C AMQP stack, ``uamqp_transport=True``) against the emulator.

uAMQP speaks AMQP only over TLS, so the client reaches the emulator's AMQP port over TLS (the port tells
TLS from plain AMQP by the first byte) with ``custom_endpoint_address``, trusting the emulator's
self-signed certificate through ``connection_verify``.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from azure.servicebus import (
    NEXT_AVAILABLE_SESSION,
    ServiceBusClient,
    ServiceBusMessage,
    ServiceBusMessageState,
    ServiceBusReceivedMessage,
    ServiceBusReceiveMode,
    ServiceBusSubQueue,
    TransportType,
)

from local_emulators.servicebus.management.tls import CERT_FILE
from tests.emulators.servicebus.conftest import KEY, KEY_NAME, Emulator

pytestmark = pytest.mark.emulator
importlib.import_module("uamqp")  # the transport under test: a missing wheel fails the module, never skips it


@pytest.fixture
def client(sb: Emulator) -> Iterator[ServiceBusClient]:
    certificate = sb.data_dir / CERT_FILE
    for _ in range(200):  # the emulator writes its certificate in the background at startup
        if certificate.exists():
            break
        time.sleep(0.05)
    connection = f"Endpoint=sb://localhost/;SharedAccessKeyName={KEY_NAME};SharedAccessKey={KEY}"
    with ServiceBusClient.from_connection_string(
        connection,
        uamqp_transport=True,
        custom_endpoint_address=f"sb://127.0.0.1:{sb.port}",
        transport_type=TransportType.Amqp,
        connection_verify=str(certificate),
        retry_total=1,
    ) as running:
        yield running


def test_send_receive_and_settle_through_uamqp(client: ServiceBusClient, sb: Emulator) -> None:
    with client.get_queue_sender("q") as sender:
        sender.send_messages(ServiceBusMessage("one", application_properties={"n": 1}, subject="s"))
        batch = sender.create_message_batch()
        for body in ("two", "three", "four", "five"):
            batch.add_message(ServiceBusMessage(body))
        sender.send_messages(batch)
    with client.get_queue_receiver("q", max_wait_time=5) as receiver:
        got: list[ServiceBusReceivedMessage] = []
        while len(got) < 5:
            received = receiver.receive_messages(max_message_count=5 - len(got), max_wait_time=5)
            assert received, f"only {len(got)} of 5 arrived"
            got += received
        one, two, three, four, five = got
        assert [str(m) for m in got] == ["one", "two", "three", "four", "five"]
        assert (one.application_properties, one.subject, one.delivery_count) == ({b"n": 1}, "s", 0)
        receiver.complete_message(one)
        receiver.abandon_message(two)
        receiver.dead_letter_message(three, reason="BadInput", error_description="why")
        receiver.defer_message(four)
        assert four.sequence_number is not None
        (deferred,) = receiver.receive_deferred_messages([four.sequence_number])
        assert deferred.state == ServiceBusMessageState.DEFERRED
        receiver.complete_message(deferred)
        renewed = receiver.renew_message_lock(five)
        assert renewed > datetime.now(UTC)
        receiver.complete_message(five)
        (again,) = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert (str(again), again.delivery_count) == ("two", 1)
        receiver.complete_message(again)
    with client.get_queue_receiver(
        "q", sub_queue=ServiceBusSubQueue.DEAD_LETTER, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE
    ) as dlq:
        (dead,) = dlq.receive_messages(max_message_count=1, max_wait_time=5)
        assert (str(dead), dead.dead_letter_reason, dead.dead_letter_error_description) == ("three", "BadInput", "why")
    assert sb.counts("q")["total"] == 0


def test_peek_schedule_and_cancel_through_uamqp(client: ServiceBusClient, sb: Emulator) -> None:
    with client.get_queue_sender("q") as sender:
        later = datetime.now(UTC) + timedelta(hours=1)
        keep, drop = sender.schedule_messages([ServiceBusMessage("kept"), ServiceBusMessage("dropped")], later)
        sender.cancel_scheduled_messages(drop)
    with client.get_queue_receiver("q") as receiver:
        (peeked,) = receiver.peek_messages(max_message_count=5)
        assert (str(peeked), peeked.sequence_number) == ("kept", keep)
        assert peeked.state == ServiceBusMessageState.SCHEDULED
    assert sb.counts("q")["scheduled"] == 1


def test_sessions_through_uamqp(client: ServiceBusClient) -> None:
    with client.get_queue_sender("q-sessions") as sender:
        sender.send_messages([ServiceBusMessage(f"m{i}", session_id="u-1") for i in range(3)])
        sender.send_messages(ServiceBusMessage("other", session_id="u-2"))
    with client.get_queue_receiver("q-sessions", session_id="u-1", max_wait_time=5) as receiver:
        session = receiver.session
        assert session is not None
        assert session.session_id == "u-1"
        session.set_state(b"step-3")
        assert session.get_state() == b"step-3"
        got = receiver.receive_messages(max_message_count=3, max_wait_time=5)
        while len(got) < 3:
            more = receiver.receive_messages(max_message_count=3 - len(got), max_wait_time=5)
            assert more
            got += more
        assert [str(m) for m in got] == ["m0", "m1", "m2"]
        for message in got:
            receiver.complete_message(message)
    mode = ServiceBusReceiveMode.RECEIVE_AND_DELETE
    with client.get_queue_receiver(
        "q-sessions", session_id=NEXT_AVAILABLE_SESSION, receive_mode=mode, max_wait_time=5
    ) as receiver:
        assert receiver.session is not None
        assert receiver.session.session_id == "u-2"  # the next available session
        (other,) = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert str(other) == "other"
