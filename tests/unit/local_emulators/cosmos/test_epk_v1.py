"""The version-1 effective partition key matches what the azure-cosmos SDK computes and sends."""

from __future__ import annotations

import pytest
from azure.cosmos.partition_key import PartitionKey

from local_emulators.cosmos.backend.epk_v1 import effective_partition_key_v1, murmurhash3_32

V1 = PartitionKey(path="/pk", kind="Hash", version=1)


@pytest.mark.parametrize(
    "value", ["short_string", "a" * 150, "", "ünïcødé", 5, -7, 2**40, 3.5, -0.5, 1e300, True, False, None]
)
def test_v1_epk_matches_the_sdk(value: str | int | float | bool | None) -> None:
    expected = str(V1._get_effective_partition_key_string([value])).upper()
    assert effective_partition_key_v1([value]) == expected


def test_murmurhash3_32_known_vectors() -> None:
    assert murmurhash3_32(b"") == 0
    assert murmurhash3_32(b"hello") == 0x248BFA47
    assert murmurhash3_32(b"The quick brown fox jumps over the lazy dog") == 0x2E4FF723
