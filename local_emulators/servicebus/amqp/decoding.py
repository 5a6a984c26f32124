"""Decode AMQP 1.0 values (spec part 1) into the Python types of `amqp.types`, keeping each AMQP type."""

from __future__ import annotations

import struct
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
from local_emulators.servicebus.errors import DecodeError

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
