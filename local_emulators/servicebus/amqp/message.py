"""Split an encoded AMQP message into its sections, and build the annotated message we deliver.

The bare message (properties through footer) is kept byte for byte as the sender encoded it; only
the header and message annotations, which the broker owns, are rebuilt on delivery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from local_emulators.servicebus.amqp import codec
from local_emulators.servicebus.amqp import performatives as p
from local_emulators.servicebus.amqp.types import Described, Symbol, ULong
from local_emulators.servicebus.errors import DecodeError

BATCH_FORMAT = 0x80013700
_SKIPPABLE = frozenset((p.APPLICATION_PROPERTIES, p.DATA, p.AMQP_SEQUENCE, p.AMQP_VALUE, p.FOOTER))
_SECTION_TYPES: dict[int, type | tuple[type, ...]] = {
    p.HEADER: (list, type(None)),
    p.MESSAGE_ANNOTATIONS: (dict, type(None)),
    p.DELIVERY_ANNOTATIONS: (dict, type(None)),
    p.PROPERTIES: (list, type(None)),
    p.APPLICATION_PROPERTIES: (dict, type(None)),
    p.DATA: bytes,
    p.AMQP_SEQUENCE: list,
}
_BARE = frozenset((p.PROPERTIES, p.APPLICATION_PROPERTIES, p.DATA, p.AMQP_SEQUENCE, p.AMQP_VALUE, p.FOOTER))


@dataclass(slots=True)
class ParsedMessage:
    """The parts of one message the broker reads; ``bare`` is the untouched bare message."""

    bare: bytes
    header: list[Any] = field(default_factory=list)
    annotations: dict[Any, Any] = field(default_factory=dict)
    properties: list[Any] = field(default_factory=list)
    application: dict[Any, Any] = field(default_factory=dict)
    bodies: list[Any] = field(default_factory=list)

    def prop(self, index: int) -> Any:
        """Return properties field ``index`` (None when absent)."""
        return self.properties[index] if index < len(self.properties) else None


def parse_message(payload: bytes, full: bool = True) -> ParsedMessage:
    """Parse the sections of an encoded message.

    Args:
        payload: The encoded message.
        full: Also decode application properties and body; routing needs only header, annotations
            and properties, so the send path skips the rest (it stays in ``bare``).

    Raises:
        DecodeError: A section is not a described value.
    """
    offset, end = 0, len(payload)
    bare_parts: list[bytes] = []
    msg = ParsedMessage(bare=b"")
    while offset < end:
        start = offset
        if not full and payload[offset : offset + 2] == b"\x00\x53" and payload[offset + 2] in _SKIPPABLE:
            offset = codec.skip(payload, offset + 3)
            bare_parts.append(payload[start:offset])
            continue
        value, offset = codec.decode(payload, offset)
        code = p.descriptor_code(value.descriptor) if isinstance(value, Described) else None
        if code is None:
            raise DecodeError("message section is not a described value")
        if code in _BARE:
            bare_parts.append(payload[start:offset])
        content = _checked(code, value.value)
        if code == p.HEADER:
            msg.header = list(content or [])
        elif code == p.MESSAGE_ANNOTATIONS:
            msg.annotations = dict(content or {})
        elif code == p.PROPERTIES:
            msg.properties = list(content or [])
        elif code == p.APPLICATION_PROPERTIES:
            msg.application = dict(content or {})
        elif code in (p.DATA, p.AMQP_VALUE, p.AMQP_SEQUENCE):
            msg.bodies.append(content)
    msg.bare = b"".join(bare_parts)
    return msg


def _checked(code: int, content: Any) -> Any:
    if not isinstance(content, _SECTION_TYPES.get(code, object)):
        raise DecodeError(f"message section 0x{code:02x} holds a {type(content).__name__}")
    return content


def assign_message_id(msg: ParsedMessage, message_id: str) -> None:
    """Give a message without a message-id one, in its parsed properties and its bare bytes."""
    properties = list(msg.properties) + [None] * max(0, 1 - len(msg.properties))
    properties[0] = message_id
    msg.properties = properties
    new_section = codec.encode(Described(ULong(p.PROPERTIES), properties))
    parts: list[bytes] = [new_section]
    offset = 0
    while offset < len(msg.bare):
        start = offset
        descriptor, after = codec.decode(msg.bare, start + 1)
        offset = codec.skip(msg.bare, after)
        if p.descriptor_code(descriptor) != p.PROPERTIES:
            parts.append(msg.bare[start:offset])
    msg.bare = b"".join(parts)


def split_batch(payload: bytes, full: bool = True) -> list[ParsedMessage]:
    """Split a batch delivery (message format 0x80013700): each data section is one message."""
    envelope = parse_message(payload)
    return [parse_message(body, full) for body in envelope.bodies if isinstance(body, bytes)]


def encode_annotated(header: list[Any], annotations: dict[Any, Any], bare: bytes) -> bytes:
    """Build the wire form of a message: header, message annotations, then the bare message."""
    out = bytearray(b"\x00\x53\x70")
    codec.encode_into(out, header)
    out += b"\x00\x53\x72"
    codec.encode_into(out, annotations)
    out += bare
    return bytes(out)


def replace_application_properties(bare: bytes, application: dict[Any, Any]) -> bytes:
    """Return ``bare`` with its application-properties section replaced (or added)."""
    parts: list[bytes] = []
    offset, placed = 0, False
    new_section = codec.encode(Described(ULong(p.APPLICATION_PROPERTIES), application))
    while offset < len(bare):
        start = offset
        value, offset = codec.decode(bare, offset)
        code = int(value.descriptor) if isinstance(value, Described) else -1
        if code == p.APPLICATION_PROPERTIES:
            parts.append(new_section)
            placed = True
            continue
        if code != p.PROPERTIES and not placed:
            parts.append(new_section)
            placed = True
        parts.append(bare[start:offset])
    if not placed:
        parts.append(new_section)
    return b"".join(parts)


def annotation(annotations: dict[Any, Any], name: str) -> Any:
    """Look up a message annotation by name, whether its key arrived as symbol or string."""
    value = annotations.get(Symbol(name))
    return value if value is not None else annotations.get(name)


def rebuild_bare(bare: bytes, properties: list[Any], application: dict[Any, Any]) -> bytes:
    """Return ``bare`` with new properties and application-properties sections, the body untouched."""
    body: list[bytes] = []
    offset = 0
    while offset < len(bare):
        start = offset
        offset = codec.skip(bare, offset)
        if bare[start + 2] not in (p.PROPERTIES, p.APPLICATION_PROPERTIES):
            body.append(bare[start:offset])
    head = codec.encode(Described(ULong(p.PROPERTIES), properties))
    head += codec.encode(Described(ULong(p.APPLICATION_PROPERTIES), application))
    return head + b"".join(body)
