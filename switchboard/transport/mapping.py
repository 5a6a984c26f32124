"""Envelope ⇄ Service Bus message, as docs/hosting.md lays it out.

Body = the envelope's JSON; `message_id` = the envelope's id (deterministic, so duplicate detection drops re-sends);
`session_id` = the run id; `subject` = the type; application properties carry the routing and tracing fields as
strings, so filters, the Service Bus explorer and other SDKs can read them without parsing the body.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from azure.servicebus import ServiceBusMessage, ServiceBusReceivedMessage

from switchboard.hosting.transient_retry import RetryCopy
from switchboard.messages import Envelope

CONTENT_TYPE = "application/json"


def envelope_properties(envelope: Envelope) -> dict[str, str]:
    """The application properties of an envelope's message (only the fields that are set)."""
    fields: dict[str, str | int | None] = {
        "type": envelope.type,
        "version": envelope.version,
        "run_id": envelope.run_id,
        "source": envelope.source,
        "target": envelope.target,
        "causation_id": envelope.causation_id,
        "traceparent": envelope.traceparent,
    }
    return {name: str(value) for name, value in fields.items() if value is not None}


def message_for(envelope: Envelope) -> ServiceBusMessage:
    """Build the Service Bus message that carries `envelope` to its target's queue."""
    properties: dict[str | bytes, Any] = {name: value for name, value in envelope_properties(envelope).items()}
    return ServiceBusMessage(
        envelope.to_json(),
        message_id=envelope.message_id,
        session_id=envelope.run_id,
        content_type=CONTENT_TYPE,
        subject=envelope.type,
        correlation_id=envelope.correlation_id,
        application_properties=properties,
    )


def retry_message(copy: RetryCopy) -> ServiceBusMessage:
    """The Service Bus message of a retry copy: the original's body and properties, its own id, enqueued later."""
    properties: dict[str | bytes, Any] = {name: value for name, value in copy.properties.items()}
    message = ServiceBusMessage(
        copy.body,
        message_id=copy.message_id,
        session_id=copy.session_id,
        content_type=CONTENT_TYPE,
        subject=copy.subject,
        correlation_id=copy.correlation_id,
        application_properties=properties,
    )
    message.scheduled_enqueue_time_utc = copy.at
    return message


def body_bytes(message: ServiceBusReceivedMessage) -> bytes:
    """The body of a received message as bytes (a data body may arrive in several sections)."""
    return join_body(message.body)


def join_body(body: Any) -> bytes:
    """Join a message body (bytes, a str, or an iterable of byte sections) into bytes."""
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, Iterable):
        return b"".join(bytes(section) for section in body)
    raise TypeError(f"unsupported message body {type(body).__name__}")


def text_properties(properties: Mapping[Any, Any] | None) -> dict[str, str]:
    """Application properties as str → str (the AMQP decoder hands keys, and some values, back as bytes)."""
    text: dict[str, str] = {}
    for key, value in (properties or {}).items():
        name = key.decode() if isinstance(key, bytes) else str(key)
        text[name] = value.decode() if isinstance(value, bytes) else str(value)
    return text


def delivery_attempt(message: ServiceBusReceivedMessage) -> int:
    """Which delivery of the message this is, 1 for the first: the SDK's count of earlier attempts plus one.

    The rule for every adapter is in `switchboard.hosting.settlement`.
    """
    return int(message.delivery_count or 0) + 1


def envelope_from_message(message: ServiceBusReceivedMessage) -> Envelope:
    """Decode the envelope a received message carries.

    Raises:
        InvalidEnvelopeError: The body is not an envelope.
    """
    return Envelope.from_json(body_bytes(message))
