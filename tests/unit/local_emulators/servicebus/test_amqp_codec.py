"""The AMQP codec: every type round-trips with its AMQP type, frames match the hand-rolled fast paths."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from local_emulators.servicebus.amqp import codec
from local_emulators.servicebus.amqp import performatives as p
from local_emulators.servicebus.amqp.frames import decode_body, disposition_frame, encode_frame, transfer_frame
from local_emulators.servicebus.amqp.message import parse_message, rebuild_bare, replace_application_properties
from local_emulators.servicebus.amqp.types import (
    Array,
    Byte,
    Char,
    Described,
    Float,
    Int,
    Opaque,
    Short,
    Symbol,
    Timestamp,
    UByte,
    UInt,
    ULong,
    UShort,
)
from local_emulators.servicebus.errors import DecodeError

VALUES: list[Any] = [
    None,
    True,
    False,
    UByte(200),
    UShort(60000),
    UInt(0),
    UInt(7),
    UInt(70000),
    ULong(0),
    ULong(9),
    ULong(2**40),
    Byte(-3),
    Short(-300),
    Int(-5),
    Int(100000),
    0,
    -1,
    2**40,
    Float(1.5),
    2.25,
    Char("é"),
    Timestamp(1_700_000_000_000),
    uuid.UUID(int=12345),
    b"",
    b"x" * 300,
    "",
    "é" * 200,
    Symbol("sym"),
    Symbol("s" * 300),
    [],
    [1, "a", None],
    list(range(100)),
    {"k": 1, Symbol("s"): [b"v"]},
    Array(0xB3, [Symbol("a"), Symbol("b")]),
    Array(0x98, [uuid.UUID(int=1)]),
    Array(0x81, [1, -2]),
    Array(0x83, [Timestamp(5)]),
    Described(ULong(0x24), []),
    Opaque(0x94, b"\x00" * 16),
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: f"{type(v).__name__}:{str(v)[:20]}")
def test_values_round_trip_with_their_amqp_type(value: Any) -> None:
    encoded = codec.encode(value)
    decoded, end = codec.decode(encoded)
    assert end == len(encoded)
    assert decoded == value
    assert type(decoded) is type(value) or (isinstance(value, list) and type(decoded) is list)
    assert codec.skip(encoded, 0) == len(encoded)


def test_array_element_types_are_kept() -> None:
    decoded, _ = codec.decode(codec.encode(Array(0x70, [UInt(1), UInt(2)])))
    assert isinstance(decoded, Array)
    assert decoded.code == 0x70


@pytest.mark.parametrize("data", [b"\xa1\x05ab", b"\xff", b"\xc0\x05\x02\x41", b""])
def test_truncated_or_unknown_input_is_a_decode_error(data: bytes) -> None:
    with pytest.raises(DecodeError):
        codec.decode(data)


def test_descriptors_are_small_ulongs_as_pyamqp_expects() -> None:
    frame = encode_frame(0, p.OPEN, ["c", None, UInt(512), None, None, None, None, None, None, None])
    assert frame[8:11] == b"\x00\x53\x10"
    code, fields, _ = decode_body(frame[8:])
    assert code == p.OPEN
    assert fields[0] == "c"


@pytest.mark.parametrize("delivery_id", [0, 1, 255, 256, 2**31])
def test_fast_frames_equal_the_generic_encoding(delivery_id: int) -> None:
    accepted = p.described(p.ACCEPTED, [])
    generic = encode_frame(4, p.DISPOSITION, [True, UInt(delivery_id), UInt(delivery_id), True, accepted, None])
    assert disposition_frame(4, True, delivery_id, delivery_id, True, codec.encode(accepted)) == generic
    tag = uuid.uuid4().bytes_le
    fields = [UInt(3), UInt(delivery_id), tag, UInt(0), True, False, None, None, None, None, None]
    assert transfer_frame(4, 3, delivery_id, tag, True, b"payload") == encode_frame(4, p.TRANSFER, fields, b"payload")


def _message(application: dict[Any, Any]) -> bytes:
    out = bytearray()
    codec.encode_into(out, p.described(p.HEADER, [True, None, UInt(1000), None, UInt(0)]))
    codec.encode_into(out, p.described(p.MESSAGE_ANNOTATIONS, {Symbol("x-opt-partition-key"): "pk"}))
    codec.encode_into(out, p.described(p.PROPERTIES, ["id-1", None, "to", "subject"] + [None] * 6 + ["session"]))
    codec.encode_into(out, p.described(p.APPLICATION_PROPERTIES, application))
    codec.encode_into(out, p.described(p.DATA, b"body"))
    codec.encode_into(out, p.described(p.DELIVERY_ANNOTATIONS, {}))  # pyamqp writes these last
    return bytes(out)


def test_parse_keeps_the_bare_message_and_reads_what_routing_needs() -> None:
    payload = _message({"a": Int(1)})
    full = parse_message(payload)
    lazy = parse_message(payload, full=False)
    assert full.bare == lazy.bare
    assert payload.index(full.bare) > 0
    assert (full.prop(0), full.prop(10), full.header[2]) == ("id-1", "session", 1000)
    assert full.annotations == {"x-opt-partition-key": "pk"}
    assert full.application == {"a": 1}
    assert lazy.application == {}
    assert full.bodies == [b"body"]


def test_application_properties_can_be_replaced_and_properties_rebuilt() -> None:
    bare = parse_message(_message({"a": Int(1)})).bare
    replaced = parse_message(replace_application_properties(bare, {"a": Int(1), "DeadLetterReason": "r"}))
    assert replaced.application == {"a": 1, "DeadLetterReason": "r"}
    assert replaced.bodies == [b"body"]
    rebuilt = parse_message(rebuild_bare(bare, ["id-2"] + [None] * 12, {"b": "x"}))
    assert rebuilt.prop(0) == "id-2"
    assert rebuilt.application == {"b": "x"}
    assert rebuilt.bodies == [b"body"]
