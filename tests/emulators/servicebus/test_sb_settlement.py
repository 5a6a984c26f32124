"""Peek-lock settlement through the SDK: complete, abandon, defer, dead-letter, renew, lock loss."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceiveMode, ServiceBusSubQueue
from azure.servicebus.exceptions import MessageLockLostError, MessageNotFoundError

from tests.emulators.servicebus.conftest import Emulator

pytestmark = pytest.mark.emulator


def _send(client: ServiceBusClient, queue: str, *bodies: str) -> None:
    with client.get_queue_sender(queue) as sender:
        sender.send_messages([ServiceBusMessage(b) for b in bodies])


def test_complete_removes_and_abandon_redelivers_with_a_higher_delivery_count(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        _send(client, "q", "a", "b")
        with client.get_queue_receiver("q", max_wait_time=3) as receiver:
            first, second = receiver.receive_messages(max_message_count=2, max_wait_time=3)
            receiver.complete_message(first)
            receiver.abandon_message(second)
            (again,) = receiver.receive_messages(max_message_count=1, max_wait_time=3)
            assert (str(again), again.delivery_count) == ("b", 1)
            assert again.lock_token != second.lock_token
            receiver.complete_message(again)
    assert sb.counts("q")["total"] == 0


def test_max_delivery_count_moves_the_message_to_the_dead_letter_queue(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        _send(client, "q", "poison")
        with client.get_queue_receiver("q", max_wait_time=2) as receiver:
            counts = []
            for _ in range(3):  # MaxDeliveryCount is 3 for "q"
                (message,) = receiver.receive_messages(max_message_count=1, max_wait_time=3)
                counts.append(message.delivery_count)
                receiver.abandon_message(message)
            assert receiver.receive_messages(max_message_count=1, max_wait_time=1) == []
        with client.get_queue_receiver("q", sub_queue=ServiceBusSubQueue.DEAD_LETTER, max_wait_time=3) as dlq:
            (dead,) = dlq.receive_messages(max_message_count=1, max_wait_time=3)
            dlq.complete_message(dead)
    assert counts == [0, 1, 2]
    assert str(dead) == "poison"
    assert dead.dead_letter_reason == "MaxDeliveryCountExceeded"
    assert dead.dead_letter_source is None  # Azure sets it only on forwarded dead letters


def test_dead_letter_with_reason_and_description(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        _send(client, "q", "bad")
        with client.get_queue_receiver("q", max_wait_time=3) as receiver:
            (message,) = receiver.receive_messages(max_message_count=1, max_wait_time=3)
            receiver.dead_letter_message(message, reason="BadInput", error_description="field x missing")
        assert sb.counts("q/$DeadLetterQueue")["total"] == 1
        with client.get_queue_receiver(
            "q", sub_queue=ServiceBusSubQueue.DEAD_LETTER, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE
        ) as dlq:
            (dead,) = dlq.receive_messages(max_message_count=1, max_wait_time=3)
    assert (str(dead), dead.dead_letter_reason, dead.dead_letter_error_description) == (
        "bad",
        "BadInput",
        "field x missing",
    )
    assert sb.counts("q")["total"] == 0


def test_defer_then_receive_deferred_by_sequence_number(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string, retry_total=0) as client:
        _send(client, "q", "later", "now")
        with client.get_queue_receiver("q", max_wait_time=2) as receiver:
            later, now = receiver.receive_messages(max_message_count=2, max_wait_time=3)
            receiver.defer_message(later)
            later_seq = later.sequence_number
            assert later_seq is not None
            receiver.complete_message(now)
            assert receiver.receive_messages(max_message_count=1, max_wait_time=1) == []
            assert sb.counts("q")["deferred"] == 1
            (deferred,) = receiver.receive_deferred_messages([later_seq])
            assert str(deferred) == "later"
            assert deferred.lock_token is not None
            receiver.complete_message(deferred)
            with pytest.raises(MessageNotFoundError):
                receiver.receive_deferred_messages([later_seq])
    assert sb.counts("q")["total"] == 0


def test_renew_lock_extends_it_and_expired_locks_are_lost(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        _send(client, "q-short-lock", "m")
        with client.get_queue_receiver("q-short-lock", max_wait_time=2) as receiver:
            (message,) = receiver.receive_messages(max_message_count=1, max_wait_time=3)
            before = message.locked_until_utc
            time.sleep(0.5)
            renewed = receiver.renew_message_lock(message)
            assert before is not None
            assert renewed > before
            time.sleep(1.3)  # the 1 s lock lapses server-side
            # Make the client believe the lock is alive so that the broker itself must refuse.
            message._expiry = datetime.now(UTC) + timedelta(minutes=5)
            with pytest.raises(MessageLockLostError):
                receiver.complete_message(message)
            (again,) = receiver.receive_messages(max_message_count=1, max_wait_time=3)
            assert again.delivery_count == 1
            receiver.complete_message(again)


def test_lock_expiry_counts_towards_max_delivery(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        _send(client, "q-short-lock", "slow")
        with client.get_queue_receiver("q-short-lock", max_wait_time=2) as receiver:
            receiver.receive_messages(max_message_count=1, max_wait_time=3)
            time.sleep(1.2)
            (second,) = receiver.receive_messages(max_message_count=1, max_wait_time=3)
            assert second.delivery_count == 1
            time.sleep(1.2)  # MaxDeliveryCount 2 reached by expiry
        assert sb.counts("q-short-lock/$DeadLetterQueue")["total"] == 1
