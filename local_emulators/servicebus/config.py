"""Load the entity configuration from a file in Microsoft's Service Bus emulator `Config.json` format.

The format (comments and trailing commas allowed)::

    {"UserConfig": {"Namespaces": [{"Name": "sbemulatorns",
        "Queues": [{"Name": "q", "Properties": {"LockDuration": "PT1M", "MaxDeliveryCount": 3, ...}}],
        "Topics": [{"Name": "t", "Properties": {...}, "Subscriptions": [{"Name": "s", "Properties": {...},
            "Rules": [{"Name": "r", "Properties": {"FilterType": "Sql", "SqlFilter": {"SqlExpression": "..."},
                                                   "Action": {"SqlExpression": "SET ..."}}}]}]}]}],
      "Logging": {"Type": "File"}}}

Every problem is a `ConfigError` naming the file, line and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from local_emulators.servicebus.config_fields import Fields
from local_emulators.servicebus.config_models import NamespaceConfig, QueueConfig, SubscriptionConfig, TopicConfig
from local_emulators.servicebus.config_rules import read_rule
from local_emulators.servicebus.config_source import ConfigError, Node, Position, parse_jsonc

__all__ = ["ConfigError", "load_config", "parse_config"]

# Config property → (model attribute, Fields reader name).
_QUEUE = {
    "DeadLetteringOnMessageExpiration": ("dead_lettering_on_message_expiration", "boolean"),
    "DefaultMessageTimeToLive": ("default_message_ttl", "ttl"),
    "DuplicateDetectionHistoryTimeWindow": ("duplicate_detection_window", "duration"),
    "ForwardDeadLetteredMessagesTo": ("forward_dead_lettered_messages_to", "optional_entity"),
    "ForwardTo": ("forward_to", "optional_entity"),
    "LockDuration": ("lock_duration", "lock_duration"),
    "MaxDeliveryCount": ("max_delivery_count", "delivery_count"),
    "RequiresDuplicateDetection": ("requires_duplicate_detection", "boolean"),
    "RequiresSession": ("requires_session", "boolean"),
}
_TOPIC = {
    key: _QUEUE[key]
    for key in ("DefaultMessageTimeToLive", "DuplicateDetectionHistoryTimeWindow", "RequiresDuplicateDetection")
}
_SUBSCRIPTION = {
    key: _QUEUE[key]
    for key in (
        "DeadLetteringOnMessageExpiration",
        "DefaultMessageTimeToLive",
        "ForwardDeadLetteredMessagesTo",
        "ForwardTo",
        "LockDuration",
        "MaxDeliveryCount",
        "RequiresSession",
    )
}
_LOGGING_TYPES = ("File", "Console", "File,Console", "Console,File")


def load_config(path: Path) -> NamespaceConfig:
    """Read and check a configuration file.

    Args:
        path: The `Config.json` file.

    Raises:
        ConfigError: The file is missing, unreadable or invalid; the message names the line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("configuration file not found", str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read the configuration file: {error}", str(path)) from None
    return parse_config(text, str(path))


def parse_config(text: str, source: str = "<config>") -> NamespaceConfig:
    """Check configuration text and build the namespace from it.

    Args:
        text: The document.
        source: Its name in error messages.

    Raises:
        ConfigError: The text is invalid; the message names the line.
    """
    return _Loader(Fields(source)).namespace(parse_jsonc(text, source))


class _Loader:
    def __init__(self, fields: Fields) -> None:
        self.fields = fields
        # (entity, what forwards, target name, where it is written), checked once every entity is known.
        self.forwards: list[tuple[str, str, str, Position]] = []

    def namespace(self, root: Node) -> NamespaceConfig:
        f = self.fields
        top = f.members(root, "the configuration", {"UserConfig": None, "$schema": None}, ("UserConfig",))
        user = f.members(top["UserConfig"].node, "UserConfig", {"Namespaces": None, "Logging": None}, ("Namespaces",))
        if "Logging" in user:
            logging = f.members(user["Logging"].node, "Logging", {"Type": None}, ("Type",))
            kind = f.string(logging["Type"].node, "Logging Type")
            if kind.replace(" ", "") not in _LOGGING_TYPES:
                raise f.fail(logging["Type"].node, f"Logging Type must be one of {', '.join(_LOGGING_TYPES)}")
        namespaces = f.array(user["Namespaces"].node, "Namespaces")
        if len(namespaces) != 1:
            raise f.fail(user["Namespaces"].node, f"Namespaces must hold exactly one namespace, not {len(namespaces)}")
        allowed = {"Name": None, "Queues": None, "Topics": None}
        spec = f.members(namespaces[0], "the namespace", allowed, ("Name",))
        name = f.name(spec["Name"].node, "namespace Name")
        queues = tuple(self.queue(node) for node in self.items(spec, "Queues"))
        topics = tuple(self.topic(node) for node in self.items(spec, "Topics"))
        self.check_unique(
            [(q.name, q_node) for q, q_node in zip(queues, self.items(spec, "Queues"), strict=True)]
            + [(t.name, t_node) for t, t_node in zip(topics, self.items(spec, "Topics"), strict=True)],
            "entity",
        )
        self.check_forwards({q.name.lower() for q in queues} | {t.name.lower() for t in topics})
        return NamespaceConfig(name=name, queues=queues, topics=topics)

    def items(self, spec: dict[str, Any], key: str) -> list[Node]:
        return self.fields.array(spec[key].node, key) if key in spec else []

    def properties(
        self, spec: dict[str, Any], table: dict[str, tuple[str, str]], what: str, entity: str = ""
    ) -> dict[str, Any]:
        if "Properties" not in spec:
            return {}
        members = self.fields.members(spec["Properties"].node, f"Properties of {what}", table)
        values: dict[str, Any] = {}
        for key, member in members.items():
            if member.node.value is None:
                continue  # null keeps the default
            attribute, reader = table[key]
            values[attribute] = getattr(self.fields, reader)(member.node, f"{key} of {what}")
            if reader == "optional_entity" and values[attribute] is not None:
                self.forwards.append((entity, f"{key} of {what}", values[attribute], member.node.position))
        return values

    def queue(self, node: Node) -> QueueConfig:
        spec = self.fields.members(node, "a queue", {"Name": None, "Properties": None}, ("Name",))
        name = self.fields.name(spec["Name"].node, "queue Name")
        return QueueConfig(name=name, **self.properties(spec, _QUEUE, f"queue {name!r}", name))

    def topic(self, node: Node) -> TopicConfig:
        allowed = {"Name": None, "Properties": None, "Subscriptions": None}
        spec = self.fields.members(node, "a topic", allowed, ("Name",))
        name = self.fields.name(spec["Name"].node, "topic Name")
        values = self.properties(spec, _TOPIC, f"topic {name!r}")
        nodes = self.items(spec, "Subscriptions")
        subscriptions = tuple(self.subscription(sub, name) for sub in nodes)
        self.check_unique(
            [(s.name, n) for s, n in zip(subscriptions, nodes, strict=True)], f"subscription of topic {name!r}"
        )
        return TopicConfig(name=name, subscriptions=subscriptions, **values)

    def subscription(self, node: Node, topic: str) -> SubscriptionConfig:
        allowed = {"Name": None, "Properties": None, "Rules": None}
        spec = self.fields.members(node, f"a subscription of topic {topic!r}", allowed, ("Name",))
        name = self.fields.name(spec["Name"].node, f"subscription Name in topic {topic!r}")
        what = f"subscription '{topic}/{name}'"
        values = self.properties(spec, _SUBSCRIPTION, what)
        nodes = self.items(spec, "Rules")
        if nodes:
            rules = tuple(read_rule(self.fields, rule, what) for rule in nodes)
            self.check_unique([(r.name, n) for r, n in zip(rules, nodes, strict=True)], f"rule of {what}")
            values["rules"] = rules
        return SubscriptionConfig(name=name, **values)

    def check_unique(self, named: list[tuple[str, Node]], what: str) -> None:
        # Service Bus names are case-insensitive.
        seen: dict[str, Node] = {}
        for name, node in named:
            first = seen.setdefault(name.lower(), node)
            if first is not node:
                line = first.position.line
                raise self.fields.fail(node, f"duplicate {what} name {name!r} (first declared on line {line})")

    def check_forwards(self, entities: set[str]) -> None:
        for entity, what, target, position in self.forwards:
            if target.lower() == entity.lower():
                raise self.fields.fail(position, f"{what} names the queue itself")
            if target.lower() not in entities:
                raise self.fields.fail(position, f"{what} names {target!r}, which is not a queue or topic here")
