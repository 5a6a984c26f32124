"""Topics: fan-out to subscriptions through SQL, correlation and default rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceiveMode

from tests.emulators.servicebus.conftest import Emulator

pytestmark = pytest.mark.emulator


def test_subscriptions_get_what_their_rules_match(sb: Emulator) -> None:
    messages = [
        ServiceBusMessage("red-order", subject="order-1", application_properties={"color": "red", "size": 3}),
        ServiceBusMessage("small", subject="order-2", application_properties={"color": "blue", "size": 1}),
        ServiceBusMessage("green", subject="order-3", application_properties={"color": "green", "size": 9}),
        ServiceBusMessage("special", correlation_id="c-1", application_properties={"kind": "special"}),
        ServiceBusMessage("not-special", correlation_id="c-1", application_properties={"kind": "plain"}),
    ]
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        with client.get_topic_sender("t") as sender:
            sender.send_messages(messages)
        received: dict[str, list[str]] = {}
        for name in ("all", "sql", "corr", "missing"):
            with client.get_subscription_receiver(
                "t", name, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE, max_wait_time=1
            ) as receiver:
                peeked = receiver.peek_messages(max_message_count=10)
                received[name] = sorted(str(m) for m in peeked)
    assert received["all"] == sorted(["red-order", "small", "green", "special", "not-special"])
    assert received["sql"] == ["red-order"]
    assert received["corr"] == ["special"]
    assert received["missing"] == ["not-special", "special"]
    assert sb.counts("t/Subscriptions/all")["total"] == 5


def test_rule_actions_rewrite_the_subscription_copy_only(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        with client.get_topic_sender("t") as sender:
            sender.send_messages(
                ServiceBusMessage("body", subject="original", application_properties={"kind": "special", "n": 5})
            )
        mode = ServiceBusReceiveMode.RECEIVE_AND_DELETE
        with client.get_subscription_receiver("t", "acted", receive_mode=mode) as receiver:
            (acted,) = receiver.receive_messages(max_message_count=1, max_wait_time=3)
        with client.get_subscription_receiver("t", "all", receive_mode=mode) as receiver:
            (plain,) = receiver.receive_messages(max_message_count=1, max_wait_time=3)
    assert (str(acted), acted.subject) == ("body", "acted")
    assert acted.application_properties == {b"stamp": b"yes", b"n": 5}
    assert plain.subject == "original"
    assert plain.application_properties == {b"kind": b"special", b"n": 5}


def test_scheduled_topic_messages_fan_out_when_due(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        with client.get_topic_sender("t") as sender:
            due = datetime.now(UTC) + timedelta(seconds=1)
            sender.schedule_messages(ServiceBusMessage("later"), due)
        assert sb.counts("t/Subscriptions/all")["total"] == 0
        with client.get_subscription_receiver("t", "all", receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as r:
            (got,) = r.receive_messages(max_message_count=1, max_wait_time=5)
    assert str(got) == "later"


def test_subscription_settlement_and_dead_letter_queue(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        with client.get_topic_sender("t") as sender:
            sender.send_messages(ServiceBusMessage("x"))
        with client.get_subscription_receiver("t", "all", max_wait_time=2) as receiver:
            (message,) = receiver.receive_messages(max_message_count=1, max_wait_time=3)
            receiver.dead_letter_message(message, reason="nope")
        assert sb.counts("t/Subscriptions/all/$DeadLetterQueue")["total"] == 1
