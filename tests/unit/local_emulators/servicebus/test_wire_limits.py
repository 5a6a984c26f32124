"""Pure wire-layer limits: the decoder refuses lies and depth, composites are padded, errors get conditions."""

from __future__ import annotations

import struct
from typing import Any

import pytest

from local_emulators.servicebus.amqp import codec
from local_emulators.servicebus.amqp import performatives as p
from local_emulators.servicebus.amqp.decoding import MAX_DEPTH
from local_emulators.servicebus.amqp.frames import decode_body
from local_emulators.servicebus.amqp.message import assign_message_id, parse_message
from local_emulators.servicebus.amqp.types import Described, Symbol, ULong
from local_emulators.servicebus.errors import DecodeError, MessageLockLostError
from local_emulators.servicebus.wire.assembly import Assembler
from local_emulators.servicebus.wire.failures import condition_of, describe


@pytest.mark.parametrize(
    "data",
    [
        b"\xd0\x00\x00\x00\x04\xff\xff\xff\xff",  # list32: 2^32-1 elements in no bytes
        b"\xc0\x01\xff",  # list8: 255 elements in no bytes
        b"\xd1\x00\x00\x00\x06\x00\x10\x00\x00\xa1\x00",  # map32: 2^20 elements in 2 bytes
        b"\xf0\x00\x00\x00\x05\xff\xff\xff\xff\x40",  # array of 2^32-1 nulls (zero bytes each)
        b"\xf0\x00\x00\x00\x07\x00\x00\x00\x02\x45",  # array of empty lists: no width either
        b"\xe0\x02\x09\x81",  # array8: nine longs in one byte
        b"\xd0\xff\xff\xff\xff\x00\x00\x00\x01\x40",  # a size beyond the data
        b"\xc1\x03\x01\x40",  # a map with an odd number of elements
    ],
)
def test_declared_counts_and_sizes_beyond_the_bytes_are_decode_errors(data: bytes) -> None:
    with pytest.raises(DecodeError):
        codec.decode(data)


def test_nesting_is_bounded_without_recursion_error() -> None:
    nested = b"\x45"
    for _ in range(50_000):
        nested = b"\xd0" + struct.pack(">II", len(nested) + 4, 1) + nested
    with pytest.raises(DecodeError, match="nested"):
        codec.decode(nested)
    described = b"\x00" * 50_000 + b"\x40\x40"
    with pytest.raises(DecodeError, match="nested"):
        codec.decode(described)
    with pytest.raises(DecodeError, match="nested"):
        codec.skip(described, 0)


def test_nesting_up_to_the_limit_still_decodes_and_the_depth_resets() -> None:
    value: Any = []
    for _ in range(MAX_DEPTH - 1):
        value = [value]
    assert codec.decode(codec.encode(value))[0] == value
    with pytest.raises(DecodeError):
        codec.decode(b"\xc0\x05\x01\xc0\x02\xff")  # an error inside a compound...
    assert codec.decode(codec.encode(value))[0] == value  # ...leaves the depth counter balanced


def test_compound_keys_and_bad_chars_decode_or_fail_cleanly() -> None:
    pairs = b"\x02" + codec.encode(Described(ULong(1), [1])) + codec.encode("v")  # a described key
    decoded = codec.decode(b"\xc1" + bytes([len(pairs)]) + pairs)[0]
    assert decoded == {repr(Described(ULong(1), [1])): "v"}
    with pytest.raises(DecodeError):
        codec.decode(b"\x73\xff\xff\xff\xff")  # not a code point


def test_composites_without_trailing_fields_are_padded() -> None:
    attach = [
        "l",
        0,
        True,
        None,
        None,
        p.described(p.SOURCE, ["q"]),
        p.described(p.TARGET, []),
    ]
    body = b"\x00\x53\x12" + codec.encode(attach)
    code, fields, _ = decode_body(body)
    assert code == p.ATTACH
    assert len(fields) == 14
    assert fields[p.A_SOURCE].value == ["q"] + [None] * 10
    assert fields[p.A_TARGET].value == [None] * 7
    rejected = p.described(p.REJECTED, [p.described(p.ERROR, [Symbol("x")])])
    _, fields, _ = decode_body(b"\x00\x53\x15" + codec.encode([True, 0, None, True, rejected]))
    assert fields[p.D_STATE].value[0].value == ["x", None, None]


def test_symbolic_descriptors_become_codes() -> None:
    body = codec.encode(Described(Symbol("amqp:detach:list"), [0, True, Described(Symbol("amqp:error:list"), [])]))
    code, fields, _ = decode_body(body)
    assert code == p.DETACH
    assert fields[2].descriptor == p.ERROR
    assert fields[2].value == [None, None, None]
    with pytest.raises(DecodeError):
        decode_body(codec.encode(Described(Symbol("vendor:unknown"), [])))


def test_a_broker_message_id_is_written_into_the_bare_message() -> None:
    body = codec.encode(p.described(p.AMQP_VALUE, "x"))
    properties = codec.encode(p.described(p.PROPERTIES, [None, None, None, "to"]))
    for bare in (body, properties + body):
        parsed = parse_message(bare, full=False)
        assign_message_id(parsed, "abc")
        again = parse_message(parsed.bare)
        assert again.prop(0) == "abc"
        assert again.bodies == ["x"]
        assert parsed.bare.endswith(body)
    assert parse_message(properties + body).prop(3) == "to"


def test_message_sections_of_the_wrong_type_are_decode_errors() -> None:
    with pytest.raises(DecodeError):
        parse_message(codec.encode(p.described(p.PROPERTIES, "not a list")))
    with pytest.raises(DecodeError):
        parse_message(codec.encode(p.described(p.APPLICATION_PROPERTIES, [1, 2])))


def _transfer(more: bool, aborted: bool = False) -> list[Any]:
    fields: list[Any] = [0, 1, b"t", 0, False, more, None, None, None, aborted, None]
    return fields


def test_the_assembler_keeps_at_most_its_limit_and_reports_oversize() -> None:
    assembler = Assembler(limit=10)
    assert assembler.add(_transfer(False), b"12345") is not None
    assert assembler.add(_transfer(True), b"123456") is None
    for _ in range(1000):  # a delivery that never ends holds nothing beyond the limit
        assert assembler.add(_transfer(True), b"x" * 1000) is None
    assert sum(len(part) for part in assembler._parts) <= 10
    done = assembler.add(_transfer(False), b"end")
    assert done is not None
    assert done.oversize
    assert done.payload == b""
    small = Assembler(limit=10)
    assert small.add(_transfer(True), b"abc") is None
    whole = small.add(_transfer(False), b"def")
    assert whole is not None
    assert (whole.payload, whole.oversize, whole.aborted) == (b"abcdef", False, False)
    assert small.add(_transfer(True), b"abc") is None
    aborted = small.add(_transfer(False, aborted=True), b"")
    assert aborted is not None
    assert aborted.aborted


@pytest.mark.parametrize(
    ("exc", "condition"),
    [
        (DecodeError("bad"), "amqp:decode-error"),
        (MessageLockLostError("gone"), "com.microsoft:message-lock-lost"),
        (TypeError("int() argument"), "amqp:invalid-field"),
        (ValueError("x"), "amqp:invalid-field"),
        (KeyError("x"), "amqp:invalid-field"),
        (RuntimeError("bug"), "amqp:internal-error"),
        (ZeroDivisionError(), "amqp:internal-error"),
    ],
)
def test_each_error_type_maps_to_one_amqp_condition(exc: Exception, condition: str) -> None:
    assert condition_of(exc) == condition
    text = describe(exc)
    assert "\n" not in text
    assert len(text) <= 300


def test_descriptions_are_one_short_line() -> None:
    assert describe(ValueError("a\nb" + "x" * 1000)).count("\n") == 0
    assert len(describe(DecodeError("y" * 1000))) == 300
    assert describe(RuntimeError("secret detail")) == "internal error (RuntimeError)"
