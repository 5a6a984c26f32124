"""Service Bus trigger arguments, built by the binding libraries' own converters from what the Functions host sends.

Two shapes exist. A `func.ServiceBusMessage` parameter gets `azure.functions`' in-converter applied to the body and
the trigger metadata (MessageId, DeliveryCount, ApplicationProperties, ...) typed as the host types them. An SDK-type
parameter (`ServiceBusReceivedMessage` of azurefunctions-extensions-bindings-servicebus) gets the extension's
converter applied to `model_binding_data` whose content is the host's: the 16-byte little-endian lock token,
``x-opt-lock-token``, then the AMQP-encoded message.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import azure.functions.meta as func_meta
from azure.functions.servicebus import ServiceBusMessageInConverter
from azure.servicebus import ServiceBusReceivedMessage
from azure.servicebus._pyamqp._encode import encode_payload  # the SDK's own AMQP encoder
from azure.servicebus._pyamqp.types import TYPE, VALUE, AMQPTypes
from azurefunctions.extensions.base import Datum as ExtensionDatum
from azurefunctions.extensions.base import GrpcClientType, SdkType
from azurefunctions.extensions.bindings.servicebus import ServiceBusClientConverter, ServiceBusConverter

from switchboard.local_host.validation import IndexedFunction

_LOCK_TOKEN_MARK = b"x-opt-lock-token"
_TIMESTAMP_ANNOTATIONS = frozenset({b"x-opt-enqueued-time", b"x-opt-locked-until", b"x-opt-scheduled-enqueue-time"})
_INT32 = range(-(2**31), 2**31)


@dataclass(frozen=True)
class ModelBindingData:
    """The `ModelBindingData` protobuf fields the extension reads (version, source, content type, content)."""

    content: bytes
    version: str = "1.0"
    source: str = "AzureServiceBusReceivedMessage"
    content_type: str = "application/octet-stream"


def build_trigger_argument(
    function: IndexedFunction, message: ServiceBusReceivedMessage, locked_until: datetime | None
) -> Any:
    """The value of the trigger parameter for ``message``, as the worker would decode it.

    Args:
        function: The triggered function.
        message: The message as azure-servicebus received it.
        locked_until: The lock expiry (the session's for session messages).

    Returns:
        A `func.ServiceBusMessage`, an SDK `ServiceBusReceivedMessage`, or the body as str/bytes.
    """
    annotation = function.annotations[str(function.trigger["name"])]
    if isinstance(annotation, type) and issubclass(annotation, SdkType):
        datum = ExtensionDatum(ModelBindingData(model_binding_content(message)), "model_binding_data")
        return ServiceBusConverter.decode(datum, trigger_metadata={}, pytype=annotation)
    body = b"".join(message.body) if not isinstance(message.body, bytes) else message.body
    if annotation is bytes:
        return body
    if annotation is str or str(function.trigger.get("dataType", "")).upper() == "STRING":
        if annotation is str:
            return body.decode("utf-8")
        body_datum = func_meta.Datum(body.decode("utf-8"), "string")
    else:
        body_datum = func_meta.Datum(body, "bytes")
    return ServiceBusMessageInConverter.decode(body_datum, trigger_metadata=trigger_metadata(message, locked_until))


def worker_supplied_arguments(function: IndexedFunction, context_factory: Any) -> dict[str, Any]:
    """Arguments without a binding: gRPC client types (`ServiceBusMessageActions`) and `context`."""
    arguments: dict[str, Any] = {}
    for name, annotation in function.unbound.items():
        if isinstance(annotation, type) and issubclass(annotation, GrpcClientType):
            arguments[name] = ServiceBusClientConverter.get_client()
        else:  # `context` (unannotated or func.Context), the only other parameter validation lets through
            arguments[name] = context_factory()
    return arguments


def trigger_metadata(message: ServiceBusReceivedMessage, locked_until: datetime | None) -> dict[str, func_meta.Datum]:
    """The trigger metadata the Functions host sends for one message (names and JSON typing of the host).

    DeliveryCount counts this delivery, 1 on the first (the .NET SDK adds one to the AMQP header's count of prior
    attempts; the rule is in `switchboard.hosting.settlement`).
    """
    properties = _json_safe(message.application_properties or {})
    strings = {
        "MessageId": message.message_id,
        "SessionId": message.session_id,
        "CorrelationId": message.correlation_id,
        "ContentType": message.content_type,
        "Subject": message.subject,
        "Label": message.subject,
        "To": message.to,
        "ReplyTo": message.reply_to,
        "ReplyToSessionId": message.reply_to_session_id,
        "PartitionKey": message.partition_key,
        "DeadLetterSource": message.dead_letter_source,
        "DeadLetterReason": message.dead_letter_reason,
        "DeadLetterErrorDescription": message.dead_letter_error_description,
        "LockToken": str(message.lock_token) if message.lock_token else None,
    }
    ints = {
        "DeliveryCount": (message.delivery_count or 0) + 1,
        "SequenceNumber": message.sequence_number,
        "EnqueuedSequenceNumber": message.enqueued_sequence_number,
        "State": int(message.state.value) if message.state is not None else None,
    }
    times = {
        "EnqueuedTimeUtc": message.enqueued_time_utc,
        "ExpiresAtUtc": message.expires_at_utc,
        "LockedUntil": message.locked_until_utc or locked_until,
        "ScheduledEnqueueTimeUtc": message.scheduled_enqueue_time_utc,
    }
    metadata: dict[str, func_meta.Datum] = {k: func_meta.Datum(str(v), "string") for k, v in strings.items() if v}
    metadata |= {k: func_meta.Datum(int(v), "int") for k, v in ints.items() if v is not None}
    metadata |= {k: func_meta.Datum(json.dumps(_utc_text(v)), "json") for k, v in times.items() if v is not None}
    if message.time_to_live is not None:
        metadata["TimeToLive"] = func_meta.Datum(json.dumps(_timespan_text(message.time_to_live)), "json")
    metadata["ApplicationProperties"] = func_meta.Datum(json.dumps(properties), "json")
    metadata["UserProperties"] = func_meta.Datum(json.dumps(properties), "json")
    now = datetime.now(UTC)
    system = {"MethodName": "", "UtcNow": _utc_text(now), "RandGuid": str(uuid.uuid4())}
    metadata["sys"] = func_meta.Datum(json.dumps(system), "json")
    return metadata


def model_binding_content(message: ServiceBusReceivedMessage) -> bytes:
    """The `model_binding_data` content the Functions host sends: lock token, marker, AMQP message bytes."""
    raw = message._message  # the pyamqp Message the SDK received (annotations, properties, body sections)
    header = raw.header._replace(delivery_count=(raw.header.delivery_count or 0) + 1) if raw.header else None
    raw = raw._replace(
        header=header,
        delivery_annotations=None,
        message_annotations=_typed_map(raw.message_annotations),
        application_properties=_typed_map(raw.application_properties),
    )
    encoded = bytearray()
    encode_payload(encoded, raw)
    return uuid.UUID(str(message.lock_token)).bytes_le + _LOCK_TOKEN_MARK + bytes(encoded)


def _typed_map(values: Mapping[Any, Any] | None) -> dict[Any, Any] | None:
    """Restore the AMQP types decoding dropped (timestamps, longs, strings) so the encoder writes them back."""
    if not values:
        return None
    typed: dict[Any, Any] = {}
    for key, value in values.items():
        if key in _TIMESTAMP_ANNOTATIONS and isinstance(value, int):
            typed[key] = {TYPE: AMQPTypes.timestamp, VALUE: value}
        elif isinstance(value, int) and not isinstance(value, bool) and value not in _INT32:
            typed[key] = {TYPE: AMQPTypes.long, VALUE: value}
        elif isinstance(value, bytes):
            try:
                typed[key] = {TYPE: AMQPTypes.string, VALUE: value.decode("utf-8")}
            except UnicodeDecodeError:
                typed[key] = value
        else:
            typed[key] = value
    return typed


def _json_safe(values: Mapping[Any, Any]) -> dict[str, Any]:
    return {_text(k): _json_value(v) for k, v in values.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return _text(value)
    if isinstance(value, datetime):
        return _utc_text(value)
    if isinstance(value, uuid.UUID | timedelta):
        return str(value)
    return value


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii")
    return str(value)


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _timespan_text(span: timedelta) -> str:
    total = int(span.total_seconds())
    days, rest = divmod(total, 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return f"{days}.{text}" if days else text
