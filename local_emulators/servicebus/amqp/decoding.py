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
# Deeper nesting than this is refused: no AMQP client nests composites anywhere near it, and the
# decoder recurses once per level, so the bound keeps a hostile frame far from Python's stack limit.
MAX_DEPTH = 64
_depth = [0]


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
    except (IndexError, struct.error, ValueError, OverflowError, TypeError) as exc:
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
            return _skip_described(data, offset)
        else:
            return decode(data, offset)[1]
    except (IndexError, struct.error) as exc:
        raise DecodeError(f"truncated AMQP value at offset {offset}") from exc
    if end > len(data):
        raise DecodeError(f"truncated AMQP value at offset {offset}")
    return end


def _skip_described(data: bytes, offset: int) -> int:
    _enter()
    try:
        return skip(data, skip(data, offset + 1))
    finally:
        _depth[0] -= 1


def _enter() -> None:
    if _depth[0] >= MAX_DEPTH:
        raise DecodeError(f"AMQP values nested deeper than {MAX_DEPTH} levels")
    _depth[0] += 1


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


def _items(data: bytes, o: int, count: int, end: int) -> tuple[list[Any], int]:
    # Every element takes at least one byte, so a count beyond the bytes declared is a lie: refuse
    # it before building anything.
    if count > end - o or end > len(data):
        raise DecodeError(f"a compound value declares {count} elements in {end - o} bytes")
    _enter()
    try:
        out: list[Any] = []
        append = out.append
        decoders = _DECODERS
        for _ in range(count):
            value, o = decoders[data[o]](data, o + 1)
            append(value)
        return out, o
    finally:
        _depth[0] -= 1


def _list8(data: bytes, o: int) -> tuple[Any, int]:
    return _items(data, o + 2, data[o + 1], o + 1 + data[o])


def _list32(data: bytes, o: int) -> tuple[Any, int]:
    size, count = _U32PAIR.unpack_from(data, o)
    return _items(data, o + 8, count, o + 4 + size)


def _key(key: Any) -> Any:
    try:
        hash(key)
    except TypeError:  # AMQP allows compound keys; Python dicts do not
        return repr(key)
    return key


def _pairs(items: list[Any]) -> dict[Any, Any]:
    if len(items) % 2:
        raise DecodeError("a map has an odd number of elements")
    it = iter(items)
    return {_key(k): v for k, v in zip(it, it, strict=True)}


def _map8(data: bytes, o: int) -> tuple[Any, int]:
    items, end = _list8(data, o)
    return _pairs(items), end


def _map32(data: bytes, o: int) -> tuple[Any, int]:
    items, end = _list32(data, o)
    return _pairs(items), end


def _described(data: bytes, o: int) -> tuple[Any, int]:
    _enter()
    try:
        descriptor, o = decode(data, o)
        value, o = decode(data, o)
    finally:
        _depth[0] -= 1
    return Described(descriptor, value), o


# Constructors that take no bytes of their own cannot be array elements (a count of them would cost
# nothing on the wire and unbounded memory here).
_EMPTY = frozenset((0x40, 0x41, 0x42, 0x43, 0x44, 0x45))


def _array(count: int, data: bytes, o: int, end: int) -> tuple[Any, int]:
    if end > len(data) or count > end - o:
        raise DecodeError(f"an array declares {count} elements in {end - o} bytes")
    code = data[o]
    o += 1
    if code == 0x00:
        _descriptor, o = decode(data, o)
        code = data[o]
        o += 1
    if code in _EMPTY:
        raise DecodeError(f"0x{code:02x} is not an array element constructor")
    dec = _DECODERS[code]
    items: list[Any] = []
    _enter()
    try:
        for _ in range(count):
            value, o = dec(data, o)
            items.append(value)
    finally:
        _depth[0] -= 1
    return Array(_WIDE.get(code, code), items), o


def _array8(data: bytes, o: int) -> tuple[Any, int]:
    return _array(data[o + 1], data, o + 2, o + 1 + data[o])


def _array32(data: bytes, o: int) -> tuple[Any, int]:
    size, count = _U32PAIR.unpack_from(data, o)
    return _array(count, data, o + 8, o + 4 + size)


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
