"""The management model: descriptions of queues, topics, subscriptions and rules over the live broker.

Every change is applied to the broker at once (create, update, delete, rules), so the AMQP side sees
it on the next attach or send. Names are matched ignoring case, as Service Bus does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from local_emulators.servicebus.broker.messages import EntityProperties
from local_emulators.servicebus.broker.namespace import Broker
from local_emulators.servicebus.broker.queue import Queue
from local_emulators.servicebus.broker.topic import Subscription, Topic
from local_emulators.servicebus.config_models import NamespaceConfig
from local_emulators.servicebus.errors import ArgumentError, EntityNotFoundError
from local_emulators.servicebus.management import broker_entities as live
from local_emulators.servicebus.management.errors import EntityAlreadyExistsError
from local_emulators.servicebus.management.rules import (
    CORRELATION,
    RuleSpec,
    compile_rule,
    default_rule,
    rule_from_config,
)
from local_emulators.servicebus.management.schema import (
    CHILD_NAME,
    ENTITY,
    ENTITY_NAME,
    FIELDS,
    RUNTIME,
    check_name,
    defaults,
    read_value,
)

_SCHEME_AND_HOST = re.compile(r"^[A-Za-z][\w+.\-]*://[^/]*/?")


@dataclass
class EntityRecord:
    """A queue, topic or subscription as the API describes it.

    Attributes:
        kind: `queue`, `topic` or `subscription`.
        name: The entity's name (a subscription's own name, without its topic).
        topic: The subscription's topic name (None for queues and topics).
        fields: Settable properties by XML element name.
        created_ms: Creation time, ms since the epoch.
        updated_ms: Last update time.
        rules: A subscription's rules by lower-cased name, in creation order.
    """

    kind: str
    name: str
    topic: str | None
    fields: dict[str, Any]
    created_ms: int
    updated_ms: int
    rules: dict[str, RuleSpec] = field(default_factory=dict)


class Catalog:
    """Create, read, update and delete entities and rules of the one namespace.

    Args:
        broker: The running broker the AMQP side serves.
        config: The configuration the broker was built from (for the names of its rules).
        now_ms: The clock.
    """

    def __init__(self, broker: Broker, config: NamespaceConfig, now_ms: Callable[[], int]) -> None:
        self.broker = broker
        self.now_ms = now_ms
        self.records: dict[str, EntityRecord] = {}
        # Told the record key after each change, and whether the entity is gone (persistence listens).
        self.changed: Callable[[str, bool], None] = lambda key, gone: None
        self._seed(config)

    def _seed(self, config: NamespaceConfig) -> None:
        now = self.now_ms()
        for entity in list(self.broker.senders.values()):
            kind = "queue" if isinstance(entity, Queue) else "topic"
            self.records[entity.path.lower()] = _described(kind, entity.path, None, entity.props, now)
            if not isinstance(entity, Topic):
                continue
            configured = config.topic(entity.path)
            for sub in entity.subscriptions.values():
                record = _described("subscription", sub.name, entity.path, sub.props, now)
                sub_config = configured.subscription(sub.name) if configured else None
                specs = [rule_from_config(r, now) for r in sub_config.rules] if sub_config else [default_rule(now)]
                record.rules = {spec.name.lower(): spec for spec in specs}
                self.records[sub.path.lower()] = record

    # ------------------------------------------------------------------ queues and topics
    def entity(self, name: str) -> EntityRecord | None:
        """The queue or topic called ``name``, or None."""
        record = self.records.get(name.lower())
        return record if record is not None and record.kind != "subscription" else None

    def entities(self, kind: str) -> list[EntityRecord]:
        """Every queue (or topic), by name."""
        return sorted((r for r in self.records.values() if r.kind == kind), key=lambda r: r.name.lower())

    def put_entity(self, kind: str, name: str, given: dict[str, str], *, update: bool) -> tuple[EntityRecord, bool]:
        """Create (``update`` False) or replace a queue or topic; return it and whether it was created.

        Raises:
            EntityAlreadyExistsError: A create names an existing entity.
            EntityNotFoundError: An update names no entity of that kind.
            ArgumentError: A property or the name is invalid.
        """
        existing = self.records.get(name.lower())
        if not update:
            check_name(name, ENTITY_NAME, "entity")
            if existing is not None:
                raise EntityAlreadyExistsError(f"The messaging entity '{name}' already exists.")
            fields = self._read(kind, given, None, name)
            now = self.now_ms()
            record = EntityRecord(kind, name, None, fields, now, now)
            if kind == "queue":
                self.broker.add_queue(name, live.properties_from(fields))
            else:
                self.broker.add_topic(name, live.properties_from(fields))
            self.records[name.lower()] = record
            self.changed(name.lower(), False)
            return record, True
        if existing is None or existing.kind != kind:
            raise EntityNotFoundError(f"The messaging entity '{name}' could not be found.")
        existing.fields = self._read(kind, given, existing, name)
        existing.updated_ms = self.now_ms()
        entity = self.broker.sender_entity(name)
        if isinstance(entity, Queue):
            live.set_properties(entity, live.properties_from(existing.fields))
        else:
            entity.props = live.properties_from(existing.fields)
        self.changed(name.lower(), False)
        return existing, False

    def delete_entity(self, name: str) -> None:
        """Delete a queue or topic (a topic with its subscriptions).

        Raises:
            EntityNotFoundError: There is none by that name.
        """
        record = self.entity(name)
        if record is None:
            raise EntityNotFoundError(f"The messaging entity '{name}' could not be found.")
        entity = self.broker.sender_entity(name)
        if isinstance(entity, Topic):
            live.remove_topic(self.broker, entity)
            for key in [k for k, r in self.records.items() if (r.topic or "").lower() == name.lower()]:
                del self.records[key]
        else:
            live.remove_queue(self.broker, entity)
        del self.records[name.lower()]
        self.changed(name.lower(), True)

    # ------------------------------------------------------------------ subscriptions
    def topic(self, name: str) -> Topic:
        """The live topic called ``name``.

        Raises:
            EntityNotFoundError: There is no such topic.
        """
        entity = self.broker.senders.get(name.lower())
        if not isinstance(entity, Topic):
            raise EntityNotFoundError(f"The messaging entity '{name}' could not be found.")
        return entity

    def subscription(self, topic: str, name: str) -> EntityRecord:
        """The subscription ``name`` of ``topic``.

        Raises:
            EntityNotFoundError: No such topic or subscription.
        """
        record = self.records.get(f"{self.topic(topic).path}/subscriptions/{name}".lower())
        if record is None:
            raise EntityNotFoundError(f"The messaging entity '{topic}/Subscriptions/{name}' could not be found.")
        return record

    def subscriptions(self, topic: str) -> list[EntityRecord]:
        """The subscriptions of ``topic``, by name."""
        path = self.topic(topic).path.lower()
        found = (r for r in self.records.values() if r.kind == "subscription" and (r.topic or "").lower() == path)
        return sorted(found, key=lambda r: r.name.lower())

    def put_subscription(
        self, topic: str, name: str, given: dict[str, str], first_rule: RuleSpec | None, *, update: bool
    ) -> tuple[EntityRecord, bool]:
        """Create or replace a subscription (a new one gets ``first_rule`` or `$Default`).

        Raises:
            EntityAlreadyExistsError: A create names an existing subscription.
            EntityNotFoundError: No such topic, or an update names no subscription.
            ArgumentError: A property, the rule or the name is invalid.
        """
        live_topic = self.topic(topic)
        key = f"{live_topic.path}/subscriptions/{name}".lower()
        existing = self.records.get(key)
        if update:
            record = self.subscription(topic, name)
            record.fields = self._read("subscription", given, record, f"{topic}/Subscriptions/{name}")
            record.updated_ms = self.now_ms()
            live.set_properties(self.broker.receiver_entity(key), live.properties_from(record.fields))
            self.changed(key, False)
            return record, False
        check_name(name, CHILD_NAME, "subscription")
        if existing is not None:
            raise EntityAlreadyExistsError(f"The messaging entity '{topic}/Subscriptions/{name}' already exists.")
        fields = self._read("subscription", given, None, f"{topic}/Subscriptions/{name}")
        now = self.now_ms()
        rule = first_rule or default_rule(now)
        rule.created_ms = now
        compiled = compile_rule(rule)
        self.broker.add_subscription(live_topic, name, live.properties_from(fields), [compiled])
        record = EntityRecord("subscription", name, live_topic.path, fields, now, now, {rule.name.lower(): rule})
        self.records[key] = record
        self.changed(key, False)
        return record, True

    def delete_subscription(self, topic: str, name: str) -> None:
        """Delete one subscription and its messages."""
        record = self.subscription(topic, name)
        live_topic = self.topic(topic)
        live.remove_subscription(self.broker, live_topic, self._live_subscription(record))
        key = f"{live_topic.path}/subscriptions/{name}".lower()
        del self.records[key]
        self.changed(key, True)

    def _live_subscription(self, record: EntityRecord) -> Subscription:
        entity = self.broker.receiver_entity(f"{record.topic}/Subscriptions/{record.name}")
        assert isinstance(entity, Subscription)
        return entity

    # ------------------------------------------------------------------ rules
    def rule(self, topic: str, subscription: str, name: str) -> RuleSpec:
        """One rule of a subscription.

        Raises:
            EntityNotFoundError: No such topic, subscription or rule.
        """
        rule = self.subscription(topic, subscription).rules.get(name.lower())
        if rule is None:
            raise EntityNotFoundError(f"The rule '{name}' of '{topic}/Subscriptions/{subscription}' was not found.")
        return rule

    def put_rule(self, topic: str, subscription: str, spec: RuleSpec, *, update: bool) -> tuple[RuleSpec, bool]:
        """Create or replace a rule; the subscription filters with it from the next message on.

        Raises:
            EntityAlreadyExistsError: A create names an existing rule.
            EntityNotFoundError: No such topic or subscription, or an update names no rule.
            ArgumentError: The filter or action is invalid.
        """
        record = self.subscription(topic, subscription)
        key = spec.name.lower()
        if update:
            spec.created_ms = self.rule(topic, subscription, spec.name).created_ms
        else:
            check_name(spec.name, CHILD_NAME, "rule")
            if key in record.rules:
                raise EntityAlreadyExistsError(f"The rule '{spec.name}' already exists.")
            spec.created_ms = self.now_ms()
        compile_rule(spec)  # refuse a bad rule before anything changes
        record.rules[key] = spec
        self._apply_rules(record)
        return spec, not update

    def delete_rule(self, topic: str, subscription: str, name: str) -> None:
        """Remove a rule (a subscription left without rules admits nothing, as in Azure)."""
        self.rule(topic, subscription, name)
        record = self.subscription(topic, subscription)
        del record.rules[name.lower()]
        self._apply_rules(record)

    def _apply_rules(self, record: EntityRecord) -> None:
        self._live_subscription(record).rules = [compile_rule(spec) for spec in record.rules.values()]
        self.changed(f"{record.topic}/subscriptions/{record.name}".lower(), False)

    # ------------------------------------------------------------------ helpers
    def _read(self, kind: str, given: dict[str, str], existing: EntityRecord | None, path: str) -> dict[str, Any]:
        fields = defaults(kind)
        lowered = {key.lower(): value for key, value in given.items()}
        for spec in FIELDS[kind]:
            if spec.kind == RUNTIME or spec.name.lower() not in lowered:
                continue
            value = read_value(spec, lowered[spec.name.lower()])
            if spec.kind == ENTITY and value is not None:
                value = self._forward_target(value, path)
            fields[spec.name] = value
        if existing is not None:
            for spec in FIELDS[kind]:
                if spec.fixed and fields[spec.name] != existing.fields.get(spec.name):
                    raise ArgumentError(f"{spec.name} cannot be changed on the existing entity '{path}'.")
        return fields

    def _forward_target(self, value: str, path: str) -> str:
        target = _SCHEME_AND_HOST.sub("", value).strip("/")
        if target.lower() == path.lower():
            return path  # Azure accepts it; the broker stops forwarding loops after a few hops
        found = self.broker.senders.get(target.lower())
        if found is None:
            raise ArgumentError(f"The forwarding destination '{target}' could not be found.")
        return found.path

    def runtime(self, record: EntityRecord) -> dict[str, int]:
        """Message counts and sizes of an entity right now."""
        if record.kind == "topic":
            topic = self.topic(record.name)
            rules = [rule for sub in self.subscriptions(record.name) for rule in sub.rules.values()]
            correlation = sum(1 for rule in rules if rule.filter.kind == CORRELATION)
            return {
                "ScheduledMessageCount": len(topic.messages),
                "SizeInBytes": live.size_in_bytes(topic),
                "SubscriptionCount": len(topic.subscriptions),
                # Azure counts true, false and SQL filters as SQL filters.
                "SqlFilterCount": len(rules) - correlation,
                "CorrelationFilterCount": correlation,
            }
        path = record.name if record.kind == "queue" else f"{record.topic}/Subscriptions/{record.name}"
        queue = self.broker.receiver_entity(path)
        return {**live.counts(queue), "SizeInBytes": live.size_in_bytes(queue)}


def _described(kind: str, name: str, topic: str | None, props: EntityProperties, now: int) -> EntityRecord:
    known = {f.name for f in FIELDS[kind]}
    fields = defaults(kind)
    fields.update({key: value for key, value in live.fields_from(props).items() if key in known})
    return EntityRecord(kind, name, topic, fields, now, now)
