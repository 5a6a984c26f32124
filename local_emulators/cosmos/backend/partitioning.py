"""Physical partitions: the partition key ranges a container's EPK space is split into.

Azure splits a hash-V2 container's EPK space, the 128-bit hashes with the top two bits cleared
(`0` to `3FFF...F`), into equal ranges; the last range takes the remainder and ends at `FF`, above
every hash. This is the split of `PartitionKeyHashRangeSplitterAndMerger` in the .NET SDK. Boundaries
are 32 upper-case hex digits, compared as strings, which is how the SDK routes an EPK to a range.
Range ids are `"0"`..`"N-1"`, as a new container's ranges are in Azure.

A container's layout is Azure's, computed from the throughput of its own offer: a container of up to
6,000 manual RU/s (or 10,000 autoscale RU/s), and every container of a shared-throughput database, has
one physical partition; a new container gets one per 6,000 manual RU/s, or one per 10,000 RU/s of its
autoscale maximum (the SDK's own tests rely on 12,000 RU/s giving two and 30,000 giving five).
`--partitions N` forces at least N ranges per container, for testing cross-partition behaviour.

A version-1 `Hash` container splits its 32-bit hash space (`0` to `2**32 - 1`) the same way; a boundary
is the hash written as a V1 EPK number (two ranges meet at `05C1DFFFFFFFFC`, five start with
`05C1C9CD673398`, as in Azure's range feeds). A container without a partition key has one range.
"""

from __future__ import annotations

import base64
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from local_emulators.cosmos.backend.epk import effective_partition_key
from local_emulators.cosmos.backend.epk_v1 import effective_partition_key_v1, hash_boundary
from local_emulators.cosmos.backend.models import Container
from local_emulators.cosmos.backend.partition_keys import PartitionKeyValue

MIN_EPK = ""
MAX_EPK = "FF"
_V2_HASH_END = (1 << 126) - 1  # the largest V2 hash: 128 bits with the two top bits cleared
_V1_HASH_END = (1 << 32) - 1  # the largest V1 hash: 32 bits
_HEX_DIGITS = 32
RU_PER_PARTITION = 6000
AUTOSCALE_RU_PER_PARTITION = 10000


@dataclass(frozen=True)
class KeyRange:
    """One physical partition: `[min_inclusive, max_exclusive)` of the EPK space."""

    id: str
    min_inclusive: str
    max_exclusive: str

    def contains(self, epk: str) -> bool:
        """Whether a document with this EPK lives in the range."""
        return self.min_inclusive <= epk and (self.max_exclusive == MAX_EPK or epk < self.max_exclusive)

    def overlaps(self, low: str, high: str) -> bool:
        """Whether the range shares any EPK with `[low, high)` (an empty `high` means the end)."""
        return (not high or high == MAX_EPK or self.min_inclusive < high) and (
            self.max_exclusive == MAX_EPK or low < self.max_exclusive
        )


def split_boundaries(count: int, hash_version: int = 2) -> list[str]:
    """The `count - 1` inner boundaries that split a hash space into `count` equal ranges."""
    if count < 1:
        raise ValueError("a container needs at least one partition")
    if hash_version == 1:
        length = _V1_HASH_END // count
        return [hash_boundary(length * index) for index in range(1, count)]
    length = _V2_HASH_END // count
    return [format(length * index, f"0{_HEX_DIGITS}X") for index in range(1, count)]


def split_ranges(count: int, hash_version: int = 2) -> list[KeyRange]:
    """The key ranges of a container with `count` physical partitions, in EPK order."""
    bounds = [MIN_EPK, *split_boundaries(count, hash_version), MAX_EPK]
    return [KeyRange(str(index), bounds[index], bounds[index + 1]) for index in range(count)]


def hash_version(container: Container) -> int:
    """2 for V2 (and hierarchical) keys, 1 for a version-1 `Hash` key, 0 without a partition key."""
    definition = container.body.get("partitionKey") or {}
    if not definition.get("paths"):
        return 0
    v1 = str(definition.get("kind", "Hash")) == "Hash" and definition.get("version") == 1
    return 1 if v1 else 2


def epk_of(container: Container, components: Sequence[PartitionKeyValue]) -> str:
    """The EPK of a (full or prefix) key in this container, hashed as its documents are."""
    if hash_version(container) == 1:
        return effective_partition_key_v1(components)
    return effective_partition_key(components, multi_hash=container.multi_hash)


def partitions_for_throughput(throughput: int, *, autoscale: bool = False) -> int:
    """How many physical partitions Azure creates for a new container's RU/s (0 for none of its own).

    Manual throughput: one per 6,000 RU/s, rounded up; autoscale: one per 10,000 RU/s of the maximum.
    """
    per_partition = AUTOSCALE_RU_PER_PARTITION if autoscale else RU_PER_PARTITION
    return max(1, -(-throughput // per_partition))


class PartitionLayout:
    """The key ranges of every container for one emulator process.

    Args:
        partitions: Physical partitions per (V2-hashed) container, at least (1: Azure's layout); a
            container created with more throughput gets Azure's count for it (`partitions_for_throughput`).
        throughput_of: The RU/s of a container's own offer (0 when it has none) and whether it autoscales.
    """

    def __init__(
        self, partitions: int, throughput_of: Callable[[Container], tuple[int, bool]] = lambda _c: (0, False)
    ) -> None:
        self.partitions = partitions
        self._throughput_of = throughput_of
        self._by_shape: dict[tuple[int, int], tuple[list[KeyRange], list[str]]] = {}
        # The layout a container got when first seen; Azure splits only on demand, the emulator never.
        self._by_container: dict[str, tuple[int, int]] = {}

    def _shape(self, container: Container) -> tuple[int, int]:
        shape = self._by_container.get(container.rid)
        if shape is None:
            version = hash_version(container)
            throughput, autoscale = self._throughput_of(container)
            wanted = max(self.partitions, partitions_for_throughput(throughput, autoscale=autoscale))
            shape = self._by_container[container.rid] = (wanted if version else 1, version)
        return shape

    def _layout(self, container: Container) -> tuple[list[KeyRange], list[str]]:
        shape = self._shape(container)
        if shape not in self._by_shape:
            ranges = split_ranges(*shape)
            self._by_shape[shape] = (ranges, [key_range.min_inclusive for key_range in ranges])
        return self._by_shape[shape]

    def count(self, container: Container) -> int:
        """How many physical partitions the container has."""
        return self._shape(container)[0]

    def ranges(self, container: Container) -> list[KeyRange]:
        """The container's ranges, in EPK order."""
        return self._layout(container)[0]

    def range_by_id(self, container: Container, range_id: str) -> KeyRange | None:
        """The range with this id, or None when the container has no such range (it is gone)."""
        return next((key_range for key_range in self.ranges(container) if key_range.id == range_id), None)

    def range_of(self, container: Container, epk: str) -> KeyRange:
        """The range a document with this EPK lives in."""
        ranges, starts = self._layout(container)
        return ranges[max(bisect_right(starts, epk) - 1, 0)]

    def overlapping(self, container: Container, low: str, high: str) -> list[KeyRange]:
        """The ranges sharing EPKs with `[low, high)`, in EPK order."""
        return [key_range for key_range in self.ranges(container) if key_range.overlaps(low, high)]

    def etag(self, container: Container) -> str:
        """The version of the container's range feed: it changes only when the layout does."""
        return f'"{container.rid}-pkranges-{len(self.ranges(container))}"'

    def describe(self, container: Container) -> list[dict[str, Any]]:
        """The `/pkranges` feed entries, as Azure lists them."""
        ranges = self.ranges(container)
        owner = base64.b64decode(container.rid.replace("-", "/"))
        entries = []
        for index, key_range in enumerate(ranges):
            # A range's rid is its container's rid plus its own bytes, like every Cosmos child resource.
            rid = base64.b64encode(owner + (index + 2).to_bytes(8, "little")).decode().replace("/", "-")
            entries.append(
                {
                    "id": key_range.id,
                    "_rid": rid,
                    "_self": f"{container.self_link}pkranges/{rid}/",
                    "_etag": f'"00000000-0000-0000-{index:04d}-000000000000"',
                    "_ts": int(container.body.get("_ts", 0)),
                    "_lsn": 1,
                    "minInclusive": key_range.min_inclusive,
                    "maxExclusive": key_range.max_exclusive,
                    "ridPrefix": index,
                    "throughputFraction": 1 / len(ranges),
                    "status": "online",
                    "parents": [],
                }
            )
        return entries
