"""The pure broker with an explicit clock: locks, settlement, delivery counts, expiry, sessions, scheduling."""

from __future__ import annotations

from typing import Any

import pytest

from local_emulators.servicebus.amqp import codec
from local_emulators.servicebus.amqp import performatives as p
from local_emulators.servicebus.amqp.message import parse_message
from local_emulators.servicebus.amqp.types import Timestamp, UInt
from local_emulators.servicebus.broker import queue as q
from local_emulators.servicebus.broker.messages import EntityProperties
from local_emulators.servicebus.broker.namespace import Broker
from local_emulators.servicebus.errors import (
    EntityNotFoundError,
    MessageLockLostError,
    MessageNotFoundError,
    NotAllowedError,
    SessionCannotBeLockedError,
    SessionLockLostError,
)
from local_emulators.servicebus.filters import compile_sql_filter

NOW = 1_000_000


def _encoded(message_id: Any = "m", session: Any = None, ttl: Any = None, **annotations: Any) -> bytes:
    out = bytearray()
    codec.encode_into(out, p.described(p.HEADER, [None, None, UInt(ttl) if ttl else None, None, None]))
    codec.encode_into(out, p.described(p.MESSAGE_ANNOTATIONS, annotations))
    codec.encode_into(out, p.described(p.PROPERTIES, [message_id] + [None] * 9 + [session]))
    codec.encode_into(out, p.described(p.APPLICATION_PROPERTIES, {"color": "red"}))
    codec.encode_into(out, p.described(p.AMQP_VALUE, "body"))
    return bytes(out)


def _broker(**props: Any) -> Broker:
    broker = Broker()
    broker.add_queue("q", EntityProperties(lock_duration_ms=1000, max_delivery_count=2, **props))
    return broker


def _send(broker: Broker, path: Any = "q", now: Any = NOW, **kwargs: Any) -> None:
    broker.send(path, [parse_message(_encoded(**kwargs))], now)


def test_peek_lock_complete_and_unknown_entities() -> None:
    broker = _broker()
    _send(broker)
    queue = broker.receiver_entity("Q")  # names are case-insensitive
    delivery = queue.take(NOW, lock=True)
    assert delivery is not None
    assert delivery.lock_token is not None
    assert delivery.locked_until_ms == NOW + 1000
    assert queue.take(NOW, lock=True) is None
    queue.settle(delivery.lock_token, q.COMPLETE, NOW + 10)
    assert queue.counts(NOW)["total"] == 0
    with pytest.raises(MessageLockLostError):
        queue.settle(delivery.lock_token, q.COMPLETE, NOW + 20)
    with pytest.raises(EntityNotFoundError):
        broker.receiver_entity("nope")


def test_lock_expiry_and_abandon_count_deliveries_until_the_dead_letter_queue() -> None:
    broker = _broker()
    _send(broker)
    queue = broker.receiver_entity("q")
    first = queue.take(NOW, lock=True)
    assert first is not None
    assert first.lock_token is not None
    broker.tick(NOW + 1000)  # lock lapses
    with pytest.raises(MessageLockLostError):
        queue.settle(first.lock_token, q.COMPLETE, NOW + 1001)
    second = queue.take(NOW + 1001, lock=True)
    assert second is not None
    assert second.lock_token is not None
    assert second.message.delivery_count == 1
    queue.settle(second.lock_token, q.ABANDON, NOW + 1002)  # second failure reaches MaxDeliveryCount 2
    dlq = broker.receiver_entity("q/$DeadLetterQueue")
    dead = dlq.take(NOW + 1003, lock=False)
    assert dead is not None
    assert parse_message(dead.message.bare, full=True).application["DeadLetterReason"] == q.MAX_DELIVERY_REASON
    assert dead.message.dead_letter_source is None  # Azure sets it only on forwarded dead letters


def test_defer_and_receive_by_sequence_number() -> None:
    broker = _broker()
    _send(broker)
    queue = broker.receiver_entity("q")
    delivery = queue.take(NOW, lock=True)
    assert delivery is not None
    assert delivery.lock_token is not None
    queue.settle(delivery.lock_token, q.DEFER, NOW)
    assert queue.take(NOW, lock=True) is None
    (again,) = queue.receive_deferred([delivery.message.seq], NOW, lock=False)
    assert again.message.seq == delivery.message.seq
    with pytest.raises(MessageNotFoundError):
        queue.receive_deferred([delivery.message.seq], NOW, lock=False)


def test_ttl_expiry_dead_letters_when_configured() -> None:
    broker = _broker(dead_letter_on_expiration=True)
    _send(broker, ttl=500)
    broker.tick(NOW + 500)
    assert broker.receiver_entity("q").counts(NOW)["total"] == 0
    assert broker.receiver_entity("q/$DeadLetterQueue").counts(NOW)["total"] == 1


def test_scheduled_messages_wait_and_can_be_cancelled() -> None:
    broker = _broker()
    _send(broker, message_id="a", **{"x-opt-scheduled-enqueue-time": Timestamp(NOW + 100)})
    _send(broker, message_id="b", **{"x-opt-scheduled-enqueue-time": Timestamp(NOW + 100)})
    queue = broker.receiver_entity("q")
    assert queue.take(NOW, lock=False) is None
    broker.cancel_scheduled("q", [2])
    broker.tick(NOW + 100)
    delivery = queue.take(NOW + 100, lock=False)
    assert delivery is not None
    assert delivery.message.message_id == "a"
    assert queue.take(NOW + 100, lock=False) is None


def test_duplicate_detection_drops_repeats_within_the_window() -> None:
    broker = _broker(requires_duplicate_detection=True, duplicate_window_ms=1000)
    _send(broker, message_id="same")
    _send(broker, message_id="same", now=NOW + 500)
    _send(broker, message_id="same", now=NOW + 1500)
    assert broker.receiver_entity("q").counts(NOW)["total"] == 2


def test_sessions_are_exclusive_fifo_and_their_lock_can_be_lost() -> None:
    broker = _broker(requires_session=True)
    for i in range(3):
        _send(broker, message_id=f"a{i}", session="A")
    _send(broker, message_id="b0", session="B")
    with pytest.raises(NotAllowedError):
        _send(broker, message_id="none")
    queue = broker.receiver_entity("q")
    owner, other = object(), object()
    session = queue.sessions.lock(None, owner, 1000, NOW)
    assert session is not None
    assert session.session_id == "A"
    with pytest.raises(SessionCannotBeLockedError):
        queue.sessions.lock("A", other, 1000, NOW)
    ids = []
    for _ in range(3):
        delivery = queue.take(NOW, lock=True, session=session)
        assert delivery is not None
        assert delivery.lock_token is not None
        ids.append(delivery.message.message_id)
        token = delivery.lock_token
    assert ids == ["a0", "a1", "a2"]
    with pytest.raises(SessionLockLostError):
        queue.settle(token, q.COMPLETE, NOW, owner=other)
    broker.tick(NOW + 1000)  # session lock lapses; its messages go back with one more delivery
    with pytest.raises(SessionLockLostError):
        queue.settle(token, q.COMPLETE, NOW + 1000, owner=owner)
    again = queue.sessions.lock("A", other, 1000, NOW + 1000)
    assert again is not None
    redelivered = queue.take(NOW + 1000, lock=True, session=again)
    assert redelivered is not None
    assert (redelivered.message.message_id, redelivered.message.delivery_count) == ("a0", 1)


def test_topic_fan_out_follows_subscription_filters() -> None:
    broker = Broker()
    topic = broker.add_topic("t", EntityProperties())
    broker.add_subscription(topic, "all", EntityProperties(), None)
    broker.add_subscription(topic, "blue", EntityProperties(), [(compile_sql_filter("color = 'blue'"), None)])
    broker.send("t", [parse_message(_encoded())], NOW)
    assert broker.receiver_entity("t/Subscriptions/all").counts(NOW)["total"] == 1
    assert broker.receiver_entity("t/subscriptions/blue").counts(NOW)["total"] == 0
