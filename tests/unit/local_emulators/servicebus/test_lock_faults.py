"""Injected lock expiry on the pure broker: message and session locks lapse at once, lapsed ones are left alone."""

from __future__ import annotations

import pytest

from local_emulators.servicebus.amqp.message import parse_message
from local_emulators.servicebus.broker import queue as q
from local_emulators.servicebus.broker.lock_faults import expire_locks
from local_emulators.servicebus.broker.messages import EntityProperties
from local_emulators.servicebus.broker.namespace import Broker
from local_emulators.servicebus.errors import MessageLockLostError, SessionLockLostError
from tests.unit.local_emulators.servicebus.test_broker_queue import _encoded

NOW = 1_000_000


def _queue_with_message(session: str | None = None) -> q.Queue:
    broker = Broker()
    props = EntityProperties(lock_duration_ms=1000, max_delivery_count=5, requires_session=session is not None)
    broker.add_queue("q", props)
    broker.send("q", [parse_message(_encoded(message_id="m1", session=session))], NOW)
    return broker.receiver_entity("q")


def test_a_held_message_lock_lapses_and_the_message_comes_back_counted() -> None:
    queue = _queue_with_message()
    held = queue.take(NOW, lock=True)
    assert held is not None
    assert held.lock_token is not None
    assert expire_locks(queue, NOW + 10) == []
    with pytest.raises(MessageLockLostError):
        queue.settle(held.lock_token, q.COMPLETE, NOW + 20)
    again = queue.take(NOW + 20, lock=True)
    assert again is not None
    assert again.message.delivery_count == 1


def test_a_lock_that_lapsed_on_its_own_is_left_to_the_clock() -> None:
    queue = _queue_with_message()
    assert queue.take(NOW, lock=True) is not None
    # Past its expiry but before the tick: expiring it again must not fail the control request.
    assert expire_locks(queue, NOW + 5000) == []
    queue.tick(NOW + 5000)
    again = queue.take(NOW + 5001, lock=True)
    assert again is not None
    assert again.message.delivery_count == 1


def test_a_session_lock_lapses_and_its_owner_is_named() -> None:
    queue = _queue_with_message(session="s1")
    owner = object()
    session = queue.sessions.lock("s1", owner, 1000, NOW)
    assert session is not None
    held = queue.take(NOW, lock=True, session=session)
    assert held is not None
    assert held.lock_token is not None
    assert expire_locks(queue, NOW + 10) == [owner]
    with pytest.raises(SessionLockLostError):
        queue.settle(held.lock_token, q.COMPLETE, NOW + 20, owner=owner)
    other = queue.sessions.lock("s1", object(), 1000, NOW + 20)
    assert other is not None
    again = queue.take(NOW + 20, lock=True, session=other)
    assert again is not None
    assert again.message.delivery_count == 1
