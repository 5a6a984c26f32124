"""Effective partition keys (EPK): the hash Cosmos DB routes documents by.

Some SDK requests (a change feed scoped to one partition key, a query on a prefix of a hierarchical key)
name an EPK range instead of a partition key, so every document carries its EPK. This is the V2 hash:
MurmurHash3 x64 128-bit (seed 0) over the binary encoding of each key component.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from local_emulators.cosmos.backend.partition_keys import UNDEFINED, PartitionKeyValue

_MASK64 = 0xFFFFFFFFFFFFFFFF
_C1 = 0x87C37B91114253D5
_C2 = 0x4CF5AD432745937F

_UNDEFINED_TAG = b"\x00"
_NULL_TAG = b"\x01"
_FALSE_TAG = b"\x02"
_TRUE_TAG = b"\x03"
_NUMBER_TAG = b"\x05"
_STRING_TAG = b"\x08"
_STRING_SUFFIX = b"\xff"


def _rotl(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK64


def _fmix(value: int) -> int:
    value ^= value >> 33
    value = (value * 0xFF51AFD7ED558CCD) & _MASK64
    value ^= value >> 33
    value = (value * 0xC4CEB9FE1A85EC53) & _MASK64
    value ^= value >> 33
    return value


def murmurhash3_128(data: bytes) -> tuple[int, int]:
    """MurmurHash3 x64 128-bit with seed 0, returned as (h1, h2)."""
    h1 = h2 = 0
    blocks = len(data) // 16
    for index in range(blocks):
        k1, k2 = struct.unpack_from("<QQ", data, index * 16)
        k1 = _rotl((k1 * _C1) & _MASK64, 31)
        h1 ^= (k1 * _C2) & _MASK64
        h1 = (_rotl(h1, 27) + h2) & _MASK64
        h1 = (h1 * 5 + 0x52DCE729) & _MASK64
        k2 = _rotl((k2 * _C2) & _MASK64, 33)
        h2 ^= (k2 * _C1) & _MASK64
        h2 = (_rotl(h2, 31) + h1) & _MASK64
        h2 = (h2 * 5 + 0x38495AB5) & _MASK64
    tail = data[blocks * 16 :]
    k1 = int.from_bytes(tail[:8], "little")
    k2 = int.from_bytes(tail[8:16], "little")
    if len(tail) > 8:
        k2 = _rotl((k2 * _C2) & _MASK64, 33)
        h2 ^= (k2 * _C1) & _MASK64
    if tail:
        k1 = _rotl((k1 * _C1) & _MASK64, 31)
        h1 ^= (k1 * _C2) & _MASK64
    h1 ^= len(data)
    h2 ^= len(data)
    h1 = (h1 + h2) & _MASK64
    h2 = (h2 + h1) & _MASK64
    h1 = _fmix(h1)
    h2 = _fmix(h2)
    h1 = (h1 + h2) & _MASK64
    h2 = (h2 + h1) & _MASK64
    return h1, h2


def _encode_component(value: PartitionKeyValue) -> bytes:
    if value is UNDEFINED:
        return _UNDEFINED_TAG
    if value is True:
        return _TRUE_TAG
    if value is False:
        return _FALSE_TAG
    if value is None:
        return _NULL_TAG
    if isinstance(value, int | float):
        return _NUMBER_TAG + struct.pack("<d", float(value))
    if isinstance(value, str):
        return _STRING_TAG + value.encode("utf-8") + _STRING_SUFFIX
    raise TypeError(f"unsupported partition key component {value!r}")


def _hash_hex(data: bytes) -> str:
    h1, h2 = murmurhash3_128(data)
    # The SDK prints the 128-bit value big-endian and clears the top two bits so that "FF" stays the maximum.
    raw = bytearray((h1.to_bytes(8, "little") + h2.to_bytes(8, "little"))[::-1])
    raw[0] &= 0x3F
    return raw.hex().upper()


def effective_partition_key(components: Sequence[PartitionKeyValue], *, multi_hash: bool) -> str:
    """The EPK of a (full or prefix) partition key value, as upper-case hex.

    Args:
        components: The key's components in path order.
        multi_hash: Whether the container uses hierarchical (MultiHash) keys, which hash each component
            separately and concatenate the hashes.

    Returns:
        The EPK string the SDK would compute.
    """
    if not components:
        return ""
    if multi_hash:
        return "".join(_hash_hex(_encode_component(value)) for value in components)
    return _hash_hex(b"".join(_encode_component(value) for value in components))
