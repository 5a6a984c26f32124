"""AMQP 1.0 value types that Python's built-ins cannot tell apart.

The decoder returns these wrappers so that a value can be re-encoded with exactly the AMQP type
it arrived with (a .NET client casts application properties by their wire type). Plain Python
values map to AMQP as: ``None``→null, ``bool``→boolean, ``int``→long, ``float``→double,
``str``→string, ``bytes``→binary, ``uuid.UUID``→uuid, ``list``→list, ``dict``→map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Symbol(str):
    """An AMQP symbol (ASCII name), distinct from an AMQP string."""

    __slots__ = ()


class UByte(int):
    """An AMQP ubyte."""

    __slots__ = ()


class UShort(int):
    """An AMQP ushort."""

    __slots__ = ()


class UInt(int):
    """An AMQP uint."""

    __slots__ = ()


class ULong(int):
    """An AMQP ulong."""

    __slots__ = ()


class Byte(int):
    """An AMQP byte (signed 8-bit)."""

    __slots__ = ()


class Short(int):
    """An AMQP short."""

    __slots__ = ()


class Int(int):
    """An AMQP int (signed 32-bit); plain ``int`` encodes as long."""

    __slots__ = ()


class Timestamp(int):
    """An AMQP timestamp: milliseconds since the Unix epoch."""

    __slots__ = ()


class Float(float):
    """An AMQP float (32-bit); plain ``float`` encodes as double."""

    __slots__ = ()


class Char(str):
    """An AMQP char (one UTF-32 code point)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Opaque:
    """A value of a type the broker never interprets (decimals), kept as its raw encoding."""

    code: int
    raw: bytes


@dataclass(slots=True)
class Described:
    """A described value: a descriptor (usually a ULong code) and the value it describes."""

    descriptor: Any
    value: Any


class Array(list[Any]):
    """An AMQP array: every element has the one AMQP type named by ``code``.

    ``code`` is the element constructor byte in its widest form (e.g. 0xb3 symbol, 0x98 uuid,
    0x81 long, 0x83 timestamp, 0xb1 string, 0x70 uint).
    """

    __slots__ = ("code",)

    def __init__(self, code: int, items: Any = ()) -> None:
        super().__init__(items)
        self.code = code
