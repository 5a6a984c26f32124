"""Encode a stored message as the broker delivers it: header and annotations rebuilt, bare message as sent.

This runs once per delivered message, so the parts that never change (the sender's annotations and
the header fields other than delivery-count) are encoded once and cached on the message.
"""

from __future__ import annotations

import struct

from local_emulators.servicebus.amqp import codec
from local_emulators.servicebus.amqp.types import Int, Symbol
from local_emulators.servicebus.broker.messages import Message

_I64 = struct.Struct(">q")
_U32 = struct.Struct(">I")
_U32PAIR = struct.Struct(">II")
_SEQUENCE = codec.encode(Symbol("x-opt-sequence-number")) + b"\x81"
_ENQUEUED = codec.encode(Symbol("x-opt-enqueued-time")) + b"\x83"
_LOCKED_UNTIL = codec.encode(Symbol("x-opt-locked-until")) + b"\x83"
_DEAD_LETTER_SOURCE = codec.encode(Symbol("x-opt-deadletter-source"))
_STATE = codec.encode(Symbol("x-opt-message-state"))
_BROKER_KEYS = frozenset(
    (
        "x-opt-sequence-number",
        "x-opt-enqueued-time",
        "x-opt-locked-until",
        "x-opt-deadletter-source",
        "x-opt-message-state",
        "x-opt-lock-token",
    )
)


def _sender_parts(message: Message) -> tuple[bytes, int, bytes]:
    cached = message.extra.get("encoded")
    if cached is None:
        pairs = bytearray()
        count = 0
        for key, value in message.annotations.items():
            if str(key) not in _BROKER_KEYS:
                codec.encode_into(pairs, key)
                codec.encode_into(pairs, value)
                count += 2
        header = bytearray()
        fields = list(message.header[:4]) + [None] * (4 - min(len(message.header), 4))
        for field in fields:
            codec.encode_into(header, field)
        cached = message.extra["encoded"] = (bytes(pairs), count, bytes(header))
    return cached


def _compound(small: int, large: int, body: bytes, count: int) -> bytes:
    if len(body) < 255 and count < 256:
        return bytes((small, len(body) + 1, count)) + body
    return bytes((large,)) + _U32PAIR.pack(len(body) + 4, count) + body


def encode_delivery(message: Message, locked_until_ms: int | None = None, state: int | None = None) -> bytes:
    """Encode ``message`` for delivery, with the broker's annotations (and message state for peeks)."""
    pairs, count, header_fields = _sender_parts(message)
    annotations = [pairs, _SEQUENCE, _I64.pack(message.seq), _ENQUEUED, _I64.pack(message.enqueued_ms)]
    count += 4
    if locked_until_ms:
        annotations += [_LOCKED_UNTIL, _I64.pack(locked_until_ms)]
        count += 2
    if message.dead_letter_source:
        annotations += [_DEAD_LETTER_SOURCE, codec.encode(message.dead_letter_source)]
        count += 2
    if state is not None:
        annotations += [_STATE, codec.encode(Int(state))]
        count += 2
    delivery_count = message.delivery_count
    header = header_fields + (b"\x43" if delivery_count == 0 else b"\x70" + _U32.pack(delivery_count))
    return b"".join(
        (
            b"\x00\x53\x70",
            _compound(0xC0, 0xD0, header, 5),
            b"\x00\x53\x72",
            _compound(0xC1, 0xD1, b"".join(annotations), count),
            message.bare,
        )
    )
