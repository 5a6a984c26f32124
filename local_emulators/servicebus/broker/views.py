"""Build the `MessageView` that subscription filters evaluate, from a stored message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from local_emulators.servicebus.amqp.message import annotation, parse_message, rebuild_bare
from local_emulators.servicebus.broker.messages import Message
from local_emulators.servicebus.filters import MessageView

# properties-section slots (AMQP 1.0 §3.2.4) → Service Bus system property names
_PROPERTY_NAMES = {
    0: "MessageId",
    2: "To",
    3: "Label",
    4: "ReplyTo",
    5: "CorrelationId",
    6: "ContentType",
    10: "SessionId",
    12: "ReplyToSessionId",
}


def message_view(message: Message) -> MessageView:
    """Return the filter view of ``message`` (its system and application properties)."""
    parsed = parse_message(message.bare)
    system: dict[str, Any] = {}
    for index, name in _PROPERTY_NAMES.items():
        value = parsed.prop(index)
        if value is not None:
            system[name] = value
    if "Label" in system:
        system["Subject"] = system["Label"]
    system["SequenceNumber"] = message.seq
    system["EnqueuedTimeUtc"] = datetime.fromtimestamp(message.enqueued_ms / 1000, UTC)
    system["DeliveryCount"] = message.delivery_count
    system["Size"] = len(message.bare)
    partition_key = annotation(message.annotations, "x-opt-partition-key")
    if partition_key is not None:
        system["PartitionKey"] = partition_key
    ttl = message.header[2] if len(message.header) > 2 else None
    if ttl:
        system["TimeToLive"] = int(ttl)
    return MessageView(system=system, application=parsed.application)


def apply_view(message: Message, view: MessageView) -> None:
    """Rewrite ``message``'s properties and application properties to what ``view`` holds (rule actions)."""
    parsed = parse_message(message.bare)
    properties = list(parsed.properties) + [None] * (13 - len(parsed.properties))
    system = {key.lower(): value for key, value in view.system.items()}
    for index, name in _PROPERTY_NAMES.items():
        if name.lower() in system:
            properties[index] = system[name.lower()]
    message.bare = rebuild_bare(message.bare, properties, dict(view.application))
    message.message_id = properties[0]
    session_id = properties[10]
    message.session_id = str(session_id) if session_id is not None else None
    message.extra.clear()
