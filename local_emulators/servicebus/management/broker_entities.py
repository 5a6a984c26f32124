"""What the catalog does to the live broker: entity properties, counts, and removing entities at run time.

The broker itself only knows how to add entities; this module is the one place that changes or removes
them while AMQP clients are connected, so a queue the admin client creates is at once usable.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from local_emulators.servicebus.broker.entity import Entity
from local_emulators.servicebus.broker.messages import ACTIVE, DEFERRED, SCHEDULED, EntityProperties
from local_emulators.servicebus.broker.namespace import Broker
from local_emulators.servicebus.broker.queue import Queue
from local_emulators.servicebus.broker.topic import Subscription, Topic


def _ms(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds() * 1000)


def properties_from(fields: dict[str, Any]) -> EntityProperties:
    """The broker's behaviour for a description's settable fields (those a kind lacks keep their default)."""
    base = EntityProperties()
    return EntityProperties(
        lock_duration_ms=_ms(fields.get("LockDuration")) or base.lock_duration_ms,
        max_delivery_count=fields.get("MaxDeliveryCount") or base.max_delivery_count,
        default_ttl_ms=_ms(fields.get("DefaultMessageTimeToLive")),
        dead_letter_on_expiration=bool(fields.get("DeadLetteringOnMessageExpiration")),
        requires_session=bool(fields.get("RequiresSession")),
        requires_duplicate_detection=bool(fields.get("RequiresDuplicateDetection")),
        duplicate_window_ms=_ms(fields.get("DuplicateDetectionHistoryTimeWindow")) or base.duplicate_window_ms,
        forward_to=fields.get("ForwardTo"),
        forward_dead_lettered_to=fields.get("ForwardDeadLetteredMessagesTo"),
    )


def fields_from(props: EntityProperties) -> dict[str, Any]:
    """Describe a configured entity's behaviour in the API's field names."""

    def duration(ms: int | None) -> timedelta | None:
        return None if ms is None else timedelta(milliseconds=ms)

    return {
        "LockDuration": duration(props.lock_duration_ms),
        "MaxDeliveryCount": props.max_delivery_count,
        "DefaultMessageTimeToLive": duration(props.default_ttl_ms),
        "DeadLetteringOnMessageExpiration": props.dead_letter_on_expiration,
        "RequiresSession": props.requires_session,
        "RequiresDuplicateDetection": props.requires_duplicate_detection,
        "DuplicateDetectionHistoryTimeWindow": duration(props.duplicate_window_ms),
        "ForwardTo": props.forward_to,
        "ForwardDeadLetteredMessagesTo": props.forward_dead_lettered_to,
    }


def set_properties(queue: Queue, props: EntityProperties) -> None:
    """Change a queue's or subscription's behaviour; held locks keep their expiry, new locks use the new one."""
    queue.props = props
    if queue.dead_letter_queue is not None:
        # As the broker derives a dead-letter queue's properties when it registers one.
        queue.dead_letter_queue.props = dataclasses.replace(
            props, requires_session=False, default_ttl_ms=None, forward_to=None, max_delivery_count=1 << 30
        )


def _forget(broker: Broker, entity: Entity) -> None:
    for seq in list(entity.messages):
        broker.journal.removed(entity.path, seq)
    entity.clear()
    entity.notify()


def _drop_receiver(broker: Broker, queue: Queue) -> None:
    for part in (queue, queue.dead_letter_queue):
        if part is not None:
            broker.receivers.pop(part.path.lower(), None)
            _forget(broker, part)


def remove_queue(broker: Broker, queue: Queue) -> None:
    """Delete a queue, its dead-letter queue and their messages."""
    broker.senders.pop(queue.path.lower(), None)
    _drop_receiver(broker, queue)


def remove_topic(broker: Broker, topic: Topic) -> None:
    """Delete a topic with its subscriptions and every message they hold."""
    broker.senders.pop(topic.path.lower(), None)
    for subscription in list(topic.subscriptions.values()):
        remove_subscription(broker, topic, subscription)
    _forget(broker, topic)


def remove_subscription(broker: Broker, topic: Topic, subscription: Subscription) -> None:
    """Delete one subscription and its messages."""
    topic.subscriptions.pop(subscription.name.lower(), None)
    _drop_receiver(broker, subscription)


def counts(queue: Queue) -> dict[str, int]:
    """Azure's message counts of a queue or subscription (locked messages count as active)."""
    states = [message.state for message in queue.messages.values()]
    dead = len(queue.dead_letter_queue.messages) if queue.dead_letter_queue is not None else 0
    return {
        "ActiveMessageCount": states.count(ACTIVE),
        "DeadLetterMessageCount": dead,
        "ScheduledMessageCount": states.count(SCHEDULED),
        "TransferMessageCount": 0,
        "TransferDeadLetterMessageCount": 0,
        "MessageCount": len(states) + dead,
        "DeferredMessageCount": states.count(DEFERRED),
    }


def size_in_bytes(entity: Entity) -> int:
    """Bytes of the messages an entity holds (their bare messages, as sent)."""
    total = sum(len(message.bare) for message in entity.messages.values())
    if isinstance(entity, Queue) and entity.dead_letter_queue is not None:
        total += sum(len(message.bare) for message in entity.dead_letter_queue.messages.values())
    return total
