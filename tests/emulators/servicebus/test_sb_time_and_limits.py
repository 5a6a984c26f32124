"""Scheduled messages, TTL and expiry, duplicate detection, auto-forwarding and the size limit."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from azure.servicebus import (
    ServiceBusClient,
    ServiceBusMessage,
    ServiceBusReceivedMessage,
    ServiceBusReceiveMode,
    ServiceBusSubQueue,
)
from azure.servicebus.exceptions import MessageSizeExceededError

from tests.emulators.servicebus.conftest import Emulator

pytestmark = pytest.mark.emulator


def test_scheduled_messages_appear_on_time_and_can_be_cancelled(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        with client.get_queue_sender("q") as sender:
            due = datetime.now(UTC) + timedelta(seconds=2.5)
            keep, cancel = sender.schedule_messages([ServiceBusMessage("keep"), ServiceBusMessage("cancel")], due)
            sender.cancel_scheduled_messages(cancel)
            sender.send_messages(ServiceBusMessage("prop", scheduled_enqueue_time_utc=due))
        counts = sb.counts("q")
        assert (counts["scheduled"], counts["active"]) == (2, 0)
        with client.get_queue_receiver("q", receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as receiver:
            (peeked, *_) = receiver.peek_messages(max_message_count=5)
            got: list[ServiceBusReceivedMessage] = []
            while len(got) < 2:
                batch = receiver.receive_messages(max_message_count=5, max_wait_time=5)
                assert batch, "scheduled messages never arrived"
                got += batch
    assert peeked.sequence_number == keep
    assert sorted(str(m) for m in got) == ["keep", "prop"]
    assert all(m.enqueued_time_utc is not None and m.enqueued_time_utc >= due - timedelta(milliseconds=5) for m in got)


def test_expired_messages_are_dead_lettered_or_dropped_per_entity(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        with client.get_queue_sender("q") as sender:  # the SDK sends whole seconds of TTL
            sender.send_messages(ServiceBusMessage("short", time_to_live=timedelta(seconds=1)))
        for queue in ("q-ttl", "q-ttl-drop"):
            with client.get_queue_sender(queue) as sender:
                sender.send_messages(ServiceBusMessage("stale"))
        time.sleep(1.2)
        with client.get_queue_receiver("q-ttl", sub_queue=ServiceBusSubQueue.DEAD_LETTER, max_wait_time=3) as dlq:
            (dead,) = dlq.receive_messages(max_message_count=1, max_wait_time=3)
            dlq.complete_message(dead)
    assert (str(dead), dead.dead_letter_reason) == ("stale", "TTLExpiredException")
    assert sb.counts("q-ttl")["total"] == 0
    assert sb.counts("q-ttl-drop")["total"] == 0
    assert sb.counts("q-ttl-drop/$DeadLetterQueue")["total"] == 0
    assert sb.counts("q")["total"] == 0


def test_duplicate_message_ids_are_dropped_within_the_window(sb: Emulator) -> None:
    client = ServiceBusClient.from_connection_string(sb.connection_string)
    with client, client.get_queue_sender("q-dup") as sender:
        sender.send_messages(ServiceBusMessage("one", message_id="m-1"))
        sender.send_messages(ServiceBusMessage("again", message_id="m-1"))
        sender.send_messages([ServiceBusMessage("two", message_id="m-2"), ServiceBusMessage("x", message_id="m-2")])
    assert sb.counts("q-dup")["total"] == 2


def test_auto_forwarding_moves_messages_to_the_target(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        with client.get_queue_sender("q-forward") as sender:
            sender.send_messages(ServiceBusMessage("fwd"))
        with client.get_queue_receiver("q-target", receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as r:
            (got,) = r.receive_messages(max_message_count=1, max_wait_time=3)
    assert str(got) == "fwd"
    assert sb.counts("q-forward")["total"] == 0


def test_dead_lettered_messages_can_be_forwarded(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        with client.get_queue_sender("q-dead-forward") as sender:
            sender.send_messages(ServiceBusMessage("dead"))
        with client.get_queue_receiver("q-dead-forward") as receiver:
            (message,) = receiver.receive_messages(max_message_count=1, max_wait_time=3)
            receiver.dead_letter_message(message, reason="why")
        with client.get_queue_receiver("q-target", receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as r:
            (got,) = r.receive_messages(max_message_count=1, max_wait_time=3)
    assert (str(got), got.dead_letter_reason) == ("dead", "why")
    assert got.dead_letter_source == "q-dead-forward"  # set only on dead letters forwarded elsewhere
    assert sb.counts("q-dead-forward/$DeadLetterQueue")["total"] == 0


def test_messages_over_256_kb_are_refused_with_the_size_error(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string, retry_total=0) as client:
        with client.get_queue_sender("q") as sender:
            sender.send_messages(ServiceBusMessage(b"x" * 200_000))
            with pytest.raises(MessageSizeExceededError):
                sender.send_messages(ServiceBusMessage(b"x" * 300_000))
        with client.get_queue_receiver("q", receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as r:
            (got,) = r.receive_messages(max_message_count=1, max_wait_time=3)
    assert len(b"".join(got.body)) == 200_000
