"""The version-1 effective partition key of `Hash` containers created with `version: 1`.

V1 hashes the key with MurmurHash3 x86 32-bit (seed 0) over the components' hashing encoding (strings
cut to 100 characters and ended by a 0x00 byte, integers taken modulo 2**32 as doubles), then writes
the hash, as a number, followed by the components in the order-preserving binary encoding: a type tag,
then for numbers the double's bits made sortable and cut into 8-then-7-bit chunks, for strings each
UTF-8 byte plus one (at most 101 bytes; shorter strings end with 0x00). The result is upper-case hex,
the form the SDKs send in EPK range headers.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from local_emulators.cosmos.backend.partition_keys import UNDEFINED, PartitionKeyValue

_MASK32 = 0xFFFFFFFF
_MASK64 = 0xFFFFFFFFFFFFFFFF
_SIGN = 0x8000000000000000
_MAX_STRING = 100
_UNDEFINED, _NULL, _FALSE, _TRUE, _NUMBER, _STRING = 0x00, 0x01, 0x02, 0x03, 0x05, 0x08


def murmurhash3_32(data: bytes, seed: int = 0) -> int:
    """MurmurHash3 x86 32-bit."""
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h1 = seed & _MASK32
    whole = len(data) & ~3
    for index in range(0, whole, 4):
        k1 = int.from_bytes(data[index : index + 4], "little")
        k1 = (k1 * c1) & _MASK32
        k1 = ((k1 << 15) | (k1 >> 17)) & _MASK32
        h1 ^= (k1 * c2) & _MASK32
        h1 = ((h1 << 13) | (h1 >> 19)) & _MASK32
        h1 = (h1 * 5 + 0xE6546B64) & _MASK32
    tail = data[whole:]
    if tail:
        k1 = int.from_bytes(tail, "little")
        k1 = (k1 * c1) & _MASK32
        k1 = ((k1 << 15) | (k1 >> 17)) & _MASK32
        h1 ^= (k1 * c2) & _MASK32
    h1 ^= len(data)
    h1 ^= h1 >> 16
    h1 = (h1 * 0x85EBCA6B) & _MASK32
    h1 ^= h1 >> 13
    h1 = (h1 * 0xC2B2AE35) & _MASK32
    return h1 ^ (h1 >> 16)


def _for_hashing(value: PartitionKeyValue) -> bytes:
    if value is True:
        return bytes([_TRUE])
    if value is False:
        return bytes([_FALSE])
    if value is None:
        return bytes([_NULL])
    if value is UNDEFINED:
        return bytes([_UNDEFINED])
    if isinstance(value, int):
        return bytes([_NUMBER]) + struct.pack("<d", float(value & _MASK32))
    if isinstance(value, float):
        return bytes([_NUMBER]) + struct.pack("<d", value)
    assert isinstance(value, str)
    return bytes([_STRING]) + value.encode("utf-8") + b"\x00"


def _sortable_bits(number: float) -> int:
    bits: int = struct.unpack("<Q", struct.pack("<d", number))[0]
    return (bits ^ _SIGN) if bits < _SIGN else (-bits) & _MASK64


def _binary(value: PartitionKeyValue | float) -> bytes:
    if value is True or value is False:
        return bytes([_TRUE if value else _FALSE])
    if value is None:
        # The SDKs write nothing for a null component here (only its hash input has it); match them, since
        # they compute the EPK ranges they send.
        return b""
    if value is UNDEFINED:
        return bytes([_UNDEFINED])
    if isinstance(value, int | float):
        payload = _sortable_bits(float(value))
        out = bytearray([_NUMBER, payload >> 56])
        payload = (payload << 8) & _MASK64
        chunk = 0
        first = True
        while payload:
            if not first:
                out.append(chunk)
            first = False
            chunk = (payload >> 56) | 0x01
            payload = (payload << 7) & _MASK64
        out.append(chunk & 0xFE)
        return bytes(out)
    assert isinstance(value, str)
    encoded = value.encode("utf-8")
    short = len(encoded) <= _MAX_STRING
    kept = encoded if short else encoded[: _MAX_STRING + 1]
    return bytes([_STRING]) + bytes(byte + 1 for byte in kept) + (b"\x00" if short else b"")


def effective_partition_key_v1(components: Sequence[PartitionKeyValue]) -> str:
    """The V1 EPK of a key's components, upper-case hex."""
    if not components:
        return ""
    truncated = [value[:_MAX_STRING] if isinstance(value, str) else value for value in components]
    hashed = float(murmurhash3_32(b"".join(_for_hashing(value) for value in truncated)))
    return b"".join(_binary(value) for value in [hashed, *truncated]).hex().upper()


def hash_boundary(value: int) -> str:
    """The EPK text of a bare V1 hash value: how a V1 container's partition boundaries are written."""
    return _binary(float(value)).hex().upper()
