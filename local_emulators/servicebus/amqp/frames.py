"""AMQP 1.0 frame layout: 8-byte header (size, doff, type, channel), performative, payload."""

from __future__ import annotations

import struct
from typing import Any

from local_emulators.servicebus.amqp import codec
from local_emulators.servicebus.amqp.performatives import descriptor_code, pad
from local_emulators.servicebus.amqp.types import Described
from local_emulators.servicebus.errors import DecodeError

AMQP_HEADER = b"AMQP\x00\x01\x00\x00"
SASL_HEADER = b"AMQP\x03\x01\x00\x00"
TYPE_AMQP, TYPE_SASL = 0, 1
HEADER = struct.Struct(">IBBH")
# The largest frame we accept (and advertise in open), SASL frames included.
MAX_FRAME_SIZE = 1 << 20
EMPTY_FRAME = HEADER.pack(8, 2, TYPE_AMQP, 0)


def encode_frame(channel: int, code: int, fields: list[Any], payload: bytes = b"", frame_type: int = 0) -> bytes:
    """Encode one frame holding a performative and an optional payload.

    Args:
        channel: The session channel (0 for connection-level and SASL frames).
        code: The performative's descriptor code.
        fields: All of the performative's fields, in order.
        payload: Transfer payload bytes that follow the performative.
        frame_type: 0 for AMQP, 1 for SASL.

    Returns:
        The frame bytes.
    """
    body = bytearray(b"\x00\x53")
    body.append(code)
    codec.encode_into(body, fields)
    size = 8 + len(body) + len(payload)
    return HEADER.pack(size, 2, frame_type, channel) + bytes(body) + payload


def decode_body(body: bytes) -> tuple[int, list[Any], int]:
    """Decode a frame body into (performative code, padded fields, payload offset).

    Raises:
        DecodeError: The body does not start with a described list.
    """
    value, end = codec.decode(body, 0)
    code = descriptor_code(value.descriptor) if isinstance(value, Described) else None
    if code is None or not isinstance(value.value, list | None):
        raise DecodeError("frame body is not a performative")
    return code, pad(code, value.value or []), end


# ---------------------------------------------------------------- hand-rolled hot paths
# Transfers and dispositions are most of the traffic; building them directly is several times
# cheaper than the generic encoder and yields identical bytes.
_U32 = struct.Struct(">I")
_TRUE, _FALSE, _NULL = b"\x41", b"\x42", b"\x40"


def _uint(value: int) -> bytes:
    if value == 0:
        return b"\x43"
    if value < 256:
        return bytes((0x52, value))
    return b"\x70" + _U32.pack(value)


def _performative(channel: int, code: int, count: int, body: bytes, payload: bytes = b"") -> bytes:
    if len(body) < 255:
        head = bytes((0x00, 0x53, code, 0xC0, len(body) + 1, count))
    else:
        head = bytes((0x00, 0x53, code, 0xD0)) + _U32.pack(len(body) + 4) + _U32.pack(count)
    return HEADER.pack(8 + len(head) + len(body) + len(payload), 2, TYPE_AMQP, channel) + head + body + payload


def disposition_frame(channel: int, role: bool, first: int, last: int, settled: bool, state: bytes) -> bytes:
    """Encode a disposition; ``state`` is the already-encoded delivery state."""
    body = (_TRUE if role else _FALSE) + _uint(first) + _uint(last) + (_TRUE if settled else _FALSE) + state + _NULL
    return _performative(channel, 0x15, 6, body)


def transfer_frame(channel: int, handle: int, delivery_id: int, tag: bytes, settled: bool, payload: bytes) -> bytes:
    """Encode a single-frame transfer of message format 0."""
    body = (
        _uint(handle)
        + _uint(delivery_id)
        + bytes((0xA0, len(tag)))
        + tag
        + b"\x43"
        + (_TRUE if settled else _FALSE)
        + _FALSE
        + _NULL * 5
    )
    return _performative(channel, 0x14, 11, body, payload)
