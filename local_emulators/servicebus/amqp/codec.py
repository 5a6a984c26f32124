"""Encode and decode AMQP 1.0 values (spec part 1), preserving each value's AMQP type."""

from __future__ import annotations

import struct
import uuid
from collections.abc import Callable
from typing import Any

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

_U8 = struct.Struct(">B")
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_I8 = struct.Struct(">b")
_I16 = struct.Struct(">h")
_I32 = struct.Struct(">i")
_I64 = struct.Struct(">q")
_F32 = struct.Struct(">f")
_F64 = struct.Struct(">d")
_U32PAIR = struct.Struct(">II")

Decoder = Callable[[bytes, int], tuple[Any, int]]
_DECODERS: dict[int, Decoder] = {}


def decode(data: bytes, offset: int = 0) -> tuple[Any, int]:
    """Decode one value at ``offset``.

    Args:
        data: The encoded bytes.
        offset: Where the value's constructor starts.

    Returns:
        The value and the offset just past it.

    Raises:
        DecodeError: The bytes are not a valid AMQP encoding.
    """
    try:
        code = data[offset]
        return _DECODERS[code](data, offset + 1)
    except (IndexError, struct.error, UnicodeDecodeError) as exc:
        raise DecodeError(f"truncated or invalid AMQP value at offset {offset}") from exc
    except KeyError as exc:
        raise DecodeError(f"unknown AMQP type code 0x{data[offset]:02x} at offset {offset}") from exc


_SIZE8 = frozenset((0xA0, 0xA1, 0xA3, 0xC0, 0xC1, 0xE0))
_SIZE32 = frozenset((0xB0, 0xB1, 0xB3, 0xD0, 0xD1, 0xF0))


def skip(data: bytes, offset: int) -> int:
    """Return the offset just past the value at ``offset``, without decoding size-prefixed values.

    Raises:
        DecodeError: The bytes are not a valid AMQP encoding.
    """
    try:
        code = data[offset]
        if code in _SIZE8:
            end = offset + 2 + data[offset + 1]
        elif code in _SIZE32:
            end = offset + 5 + _U32.unpack_from(data, offset + 1)[0]
        elif code == 0x00:
            return skip(data, skip(data, offset + 1))
        else:
            return decode(data, offset)[1]
    except (IndexError, struct.error) as exc:
        raise DecodeError(f"truncated AMQP value at offset {offset}") from exc
    if end > len(data):
        raise DecodeError(f"truncated AMQP value at offset {offset}")
    return end


def _fixed(width: int, conv: Callable[[bytes, int], Any]) -> Decoder:
    def dec(data: bytes, o: int) -> tuple[Any, int]:
        return conv(data, o), o + width

    return dec


def _reg(code: int, dec: Decoder) -> None:
    _DECODERS[code] = dec


_reg(0x40, lambda d, o: (None, o))
_reg(0x41, lambda d, o: (True, o))
_reg(0x42, lambda d, o: (False, o))
_reg(0x56, lambda d, o: (d[o] != 0, o + 1))
_reg(0x50, lambda d, o: (UByte(d[o]), o + 1))
_reg(0x60, lambda d, o: (UShort(_U16.unpack_from(d, o)[0]), o + 2))
_reg(0x70, lambda d, o: (UInt(_U32.unpack_from(d, o)[0]), o + 4))
_reg(0x52, lambda d, o: (UInt(d[o]), o + 1))
_reg(0x43, lambda d, o: (UInt(0), o))
_reg(0x80, lambda d, o: (ULong(_U64.unpack_from(d, o)[0]), o + 8))
_reg(0x53, lambda d, o: (ULong(d[o]), o + 1))
_reg(0x44, lambda d, o: (ULong(0), o))
_reg(0x51, lambda d, o: (Byte(_I8.unpack_from(d, o)[0]), o + 1))
_reg(0x61, lambda d, o: (Short(_I16.unpack_from(d, o)[0]), o + 2))
_reg(0x71, lambda d, o: (Int(_I32.unpack_from(d, o)[0]), o + 4))
_reg(0x54, lambda d, o: (Int(_I8.unpack_from(d, o)[0]), o + 1))
_reg(0x81, lambda d, o: (_I64.unpack_from(d, o)[0], o + 8))
_reg(0x55, lambda d, o: (_I8.unpack_from(d, o)[0], o + 1))
_reg(0x72, lambda d, o: (Float(_F32.unpack_from(d, o)[0]), o + 4))
_reg(0x82, lambda d, o: (_F64.unpack_from(d, o)[0], o + 8))
_reg(0x83, lambda d, o: (Timestamp(_I64.unpack_from(d, o)[0]), o + 8))
_reg(0x98, lambda d, o: (uuid.UUID(bytes=bytes(d[o : o + 16])), o + 16))
_reg(0x73, lambda d, o: (Char(chr(_U32.unpack_from(d, o)[0])), o + 4))
for _code, _width in ((0x74, 4), (0x84, 8), (0x94, 16)):
    _reg(_code, (lambda c, w: lambda d, o: (Opaque(c, bytes(d[o : o + w])), o + w))(_code, _width))


def _vbin(width: struct.Struct) -> Decoder:
    size = width.size

    def dec(data: bytes, o: int) -> tuple[Any, int]:
        n = width.unpack_from(data, o)[0]
        start = o + size
        if start + n > len(data):
            raise IndexError("variable-width value runs past the end")
        return bytes(data[start : start + n]), start + n

    return dec


def _text(width: struct.Struct, kind: Callable[[str], Any]) -> Decoder:
    raw = _vbin(width)

    def dec(data: bytes, o: int) -> tuple[Any, int]:
        value, end = raw(data, o)
        return kind(value.decode("utf-8")), end

    return dec


_reg(0xA0, _vbin(_U8))
_reg(0xB0, _vbin(_U32))
_reg(0xA1, _text(_U8, str))
_reg(0xB1, _text(_U32, str))
_reg(0xA3, _text(_U8, Symbol))
_reg(0xB3, _text(_U32, Symbol))


def _items(data: bytes, o: int, count: int) -> tuple[list[Any], int]:
    out: list[Any] = []
    append = out.append
    decoders = _DECODERS
    for _ in range(count):
        value, o = decoders[data[o]](data, o + 1)
        append(value)
    return out, o


def _list8(data: bytes, o: int) -> tuple[Any, int]:
    count = data[o + 1]
    return _items(data, o + 2, count)


def _list32(data: bytes, o: int) -> tuple[Any, int]:
    _size, count = _U32PAIR.unpack_from(data, o)
    return _items(data, o + 8, count)


def _pairs(items: list[Any]) -> dict[Any, Any]:
    it = iter(items)
    return {(k if not isinstance(k, list | dict) else repr(k)): v for k, v in zip(it, it, strict=True)}


def _map8(data: bytes, o: int) -> tuple[Any, int]:
    items, end = _list8(data, o)
    return _pairs(items), end


def _map32(data: bytes, o: int) -> tuple[Any, int]:
    items, end = _list32(data, o)
    return _pairs(items), end


def _described(data: bytes, o: int) -> tuple[Any, int]:
    descriptor, o = decode(data, o)
    value, o = decode(data, o)
    return Described(descriptor, value), o


def _array(count: int, data: bytes, o: int) -> tuple[Any, int]:
    code = data[o]
    o += 1
    if code == 0x00:
        _descriptor, o = decode(data, o)
        code = data[o]
        o += 1
    dec = _DECODERS[code]
    items: list[Any] = []
    for _ in range(count):
        value, o = dec(data, o)
        items.append(value)
    return Array(_WIDE.get(code, code), items), o


def _array8(data: bytes, o: int) -> tuple[Any, int]:
    return _array(data[o + 1], data, o + 2)


def _array32(data: bytes, o: int) -> tuple[Any, int]:
    _size, count = _U32PAIR.unpack_from(data, o)
    return _array(count, data, o + 8)


_reg(0x45, lambda d, o: ([], o))
_reg(0xC0, _list8)
_reg(0xD0, _list32)
_reg(0xC1, _map8)
_reg(0xD1, _map32)
_reg(0xE0, _array8)
_reg(0xF0, _array32)
_reg(0x00, _described)

# Compact constructors map to the wide ones used when this codec writes arrays.
_WIDE = {
    0x52: 0x70,
    0x43: 0x70,
    0x53: 0x80,
    0x44: 0x80,
    0x54: 0x71,
    0x55: 0x81,
    0xA0: 0xB0,
    0xA1: 0xB1,
    0xA3: 0xB3,
    0x41: 0x56,
    0x42: 0x56,
}


# ---------------------------------------------------------------------------------------------- encoding


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
