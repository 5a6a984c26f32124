"""Build the broker's entities from the loaded namespace configuration."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from local_emulators.servicebus.broker.journal import Journal
from local_emulators.servicebus.broker.messages import EntityProperties
from local_emulators.servicebus.broker.namespace import Broker
from local_emulators.servicebus.config_models import NamespaceConfig, QueueConfig, SubscriptionConfig, TopicConfig


def _ms(value: timedelta) -> int:
    return int(value.total_seconds() * 1000)


def _props(entity: QueueConfig | SubscriptionConfig | TopicConfig) -> EntityProperties:
    ttl = _ms(entity.default_message_ttl) if entity.default_message_ttl is not None else None
    props = EntityProperties(default_ttl_ms=ttl)
    if isinstance(entity, QueueConfig | SubscriptionConfig):
        props = dataclasses.replace(
            props,
            lock_duration_ms=_ms(entity.lock_duration),
            max_delivery_count=entity.max_delivery_count,
            dead_letter_on_expiration=entity.dead_lettering_on_message_expiration,
            requires_session=entity.requires_session,
            forward_to=entity.forward_to or None,
            forward_dead_lettered_to=entity.forward_dead_lettered_messages_to or None,
        )
    if isinstance(entity, QueueConfig | TopicConfig):
        props = dataclasses.replace(
            props,
            requires_duplicate_detection=entity.requires_duplicate_detection,
            duplicate_window_ms=_ms(entity.duplicate_detection_window),
        )
    return props


def build_broker(config: NamespaceConfig, journal: Journal | None = None) -> Broker:
    """Create a broker holding every queue, topic and subscription of ``config``."""
    broker = Broker(journal)
    for queue in config.queues:
        broker.add_queue(queue.name, _props(queue))
    for topic in config.topics:
        entity = broker.add_topic(topic.name, _props(topic))
        for sub in topic.subscriptions:
            broker.add_subscription(entity, sub.name, _props(sub), [(rule.filter, rule.action) for rule in sub.rules])
    return broker
