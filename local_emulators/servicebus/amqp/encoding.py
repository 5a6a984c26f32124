"""Encode Python values as AMQP 1.0 (spec part 1); the wrappers of `amqp.types` choose the AMQP type."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from local_emulators.servicebus.amqp.structs import F32 as _F32
from local_emulators.servicebus.amqp.structs import F64 as _F64
from local_emulators.servicebus.amqp.structs import I8 as _I8
from local_emulators.servicebus.amqp.structs import I16 as _I16
from local_emulators.servicebus.amqp.structs import I32 as _I32
from local_emulators.servicebus.amqp.structs import I64 as _I64
from local_emulators.servicebus.amqp.structs import U8 as _U8
from local_emulators.servicebus.amqp.structs import U16 as _U16
from local_emulators.servicebus.amqp.structs import U32 as _U32
from local_emulators.servicebus.amqp.structs import U32PAIR as _U32PAIR
from local_emulators.servicebus.amqp.structs import U64 as _U64
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


def encode(value: Any) -> bytes:
    """Encode one value with the AMQP type its Python type names (see ``amqp.types``)."""
    out = bytearray()
    encode_into(out, value)
    return bytes(out)


def encode_into(out: bytearray, value: Any) -> None:
    """Append the encoding of ``value`` to ``out``.

    Raises:
        TypeError: ``value`` has no AMQP encoding.
    """
    enc = _ENCODERS.get(type(value))
    if enc is None:
        enc = _encoder_for_subclass(value)
    enc(out, value)


def _encoder_for_subclass(value: Any) -> Callable[[bytearray, Any], None]:
    for kind, enc in _ENCODERS.items():
        if isinstance(value, kind):
            return enc
    raise TypeError(f"no AMQP encoding for {type(value).__name__}")


def _enc_none(out: bytearray, _v: Any) -> None:
    out.append(0x40)


def _enc_bool(out: bytearray, v: bool) -> None:
    out.append(0x41 if v else 0x42)


def _enc_uint(out: bytearray, v: int) -> None:
    if v == 0:
        out.append(0x43)
    elif v < 256:
        out += bytes((0x52, v))
    else:
        out.append(0x70)
        out += _U32.pack(v)


def _enc_ulong(out: bytearray, v: int) -> None:
    if v == 0:
        out.append(0x44)
    elif v < 256:
        out += bytes((0x53, v))
    else:
        out.append(0x80)
        out += _U64.pack(v)


def _enc_int(out: bytearray, v: int) -> None:
    if -128 <= v <= 127:
        out.append(0x54)
        out += _I8.pack(v)
    else:
        out.append(0x71)
        out += _I32.pack(v)


def _enc_long(out: bytearray, v: int) -> None:
    if -128 <= v <= 127:
        out.append(0x55)
        out += _I8.pack(v)
    else:
        out.append(0x81)
        out += _I64.pack(v)


def _enc_var(small: int, large: int) -> Callable[[bytearray, bytes], None]:
    def enc(out: bytearray, raw: bytes) -> None:
        n = len(raw)
        if n < 256:
            out += bytes((small, n))
        else:
            out.append(large)
            out += _U32.pack(n)
        out += raw

    return enc


_enc_bin = _enc_var(0xA0, 0xB0)
_enc_str8 = _enc_var(0xA1, 0xB1)
_enc_sym8 = _enc_var(0xA3, 0xB3)


def _enc_compound(out: bytearray, items: list[Any], small: int, large: int, count: int) -> None:
    body = bytearray()
    for item in items:
        encode_into(body, item)
    if len(body) < 255 and count < 256:
        out += bytes((small, len(body) + 1, count))
    else:
        out.append(large)
        out += _U32PAIR.pack(len(body) + 4, count)
    out += body


def _enc_list(out: bytearray, v: list[Any]) -> None:
    if not v:
        out.append(0x45)
    else:
        _enc_compound(out, v, 0xC0, 0xD0, len(v))


def _enc_map(out: bytearray, v: dict[Any, Any]) -> None:
    flat: list[Any] = []
    for key, val in v.items():
        flat.append(key)
        flat.append(val)
    _enc_compound(out, flat, 0xC1, 0xD1, len(flat))


def _enc_described(out: bytearray, v: Described) -> None:
    out.append(0x00)
    encode_into(out, v.descriptor)
    encode_into(out, v.value)


_ARRAY_ELEMENT: dict[int, Callable[[Any], bytes]] = {
    0x70: _U32.pack,
    0x80: _U64.pack,
    0x71: _I32.pack,
    0x81: _I64.pack,
    0x83: _I64.pack,
    0x60: _U16.pack,
    0x61: _I16.pack,
    0x50: _U8.pack,
    0x51: _I8.pack,
    0x56: lambda b: b"\x01" if b else b"\x00",
    0x82: _F64.pack,
    0x72: _F32.pack,
    0x98: lambda u: u.bytes,
    0xB0: lambda b: _U32.pack(len(b)) + b,
    0xB1: lambda s: _U32.pack(len(s.encode())) + s.encode(),
    0xB3: lambda s: _U32.pack(len(s.encode())) + s.encode(),
}


def _enc_array(out: bytearray, v: Array) -> None:
    pack = _ARRAY_ELEMENT.get(v.code)
    if pack is None:
        raise TypeError(f"arrays of AMQP type 0x{v.code:02x} are not supported")
    body = b"".join(pack(item) for item in v)
    out.append(0xF0)
    out += _U32PAIR.pack(len(body) + 5, len(v))
    out.append(v.code)
    out += body


def _enc_opaque(out: bytearray, v: Opaque) -> None:
    out.append(v.code)
    out += v.raw


_ENCODERS: dict[type, Callable[[bytearray, Any], None]] = {
    type(None): _enc_none,
    bool: _enc_bool,
    int: _enc_long,
    Int: _enc_int,
    UInt: _enc_uint,
    ULong: _enc_ulong,
    UByte: lambda out, v: out.extend((0x50, v)),
    UShort: lambda out, v: out.extend(b"\x60" + _U16.pack(v)),
    Byte: lambda out, v: out.extend(b"\x51" + _I8.pack(v)),
    Short: lambda out, v: out.extend(b"\x61" + _I16.pack(v)),
    Timestamp: lambda out, v: out.extend(b"\x83" + _I64.pack(v)),
    float: lambda out, v: out.extend(b"\x82" + _F64.pack(v)),
    Float: lambda out, v: out.extend(b"\x72" + _F32.pack(v)),
    Char: lambda out, v: out.extend(b"\x73" + _U32.pack(ord(v))),
    uuid.UUID: lambda out, v: out.extend(b"\x98" + v.bytes),
    str: lambda out, v: _enc_str8(out, v.encode("utf-8")),
    Symbol: lambda out, v: _enc_sym8(out, v.encode("ascii")),
    bytes: _enc_bin,
    bytearray: _enc_bin,
    list: _enc_list,
    tuple: lambda out, v: _enc_list(out, list(v)),
    dict: _enc_map,
    Array: _enc_array,
    Described: _enc_described,
    Opaque: _enc_opaque,
}
