"""Physical partitions: the EPK space split as Azure splits it, and documents routed as the SDK routes them."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from azure.cosmos._routing.collection_routing_map import CollectionRoutingMap
from azure.cosmos.partition_key import PartitionKey as SdkPartitionKey

from local_emulators.cosmos.backend.continuation import CompositeToken, PartitionToken
from local_emulators.cosmos.backend.epk import effective_partition_key
from local_emulators.cosmos.backend.models import Container
from local_emulators.cosmos.backend.partitioning import (
    PartitionLayout,
    epk_of,
    partitions_for_throughput,
    split_boundaries,
    split_ranges,
)
from local_emulators.cosmos.errors import BadRequestError


def _container(key: dict[str, Any] | None = None, rid: str = "AAAAAA==") -> Container:
    body = {"id": "c", "_rid": rid, "_self": f"dbs/x/colls/{rid}/", "partitionKey": key or {"paths": ["/pk"]}}
    return Container(rid=rid, db_id="d", id="c", body=body)


def test_one_partition_is_the_whole_space() -> None:
    (only,) = split_ranges(1)
    assert (only.id, only.min_inclusive, only.max_exclusive) == ("0", "", "FF")


def test_two_partitions_split_at_half_the_v2_hash_space() -> None:
    # The V2 hash space is 0..0x3FFF...F (two top bits cleared); halving it gives Azure's first split point.
    assert split_boundaries(2) == ["1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"]


@pytest.mark.parametrize("count", [2, 3, 5, 8])
def test_ranges_are_contiguous_ordered_and_named_from_zero(count: int) -> None:
    ranges = split_ranges(count)
    assert [r.id for r in ranges] == [str(index) for index in range(count)]
    assert ranges[0].min_inclusive == ""
    assert ranges[-1].max_exclusive == "FF"
    for left, right in itertools.pairwise(ranges):
        assert left.max_exclusive == right.min_inclusive
        assert len(right.min_inclusive) == 32
        assert left.min_inclusive < right.min_inclusive


def test_every_document_lives_in_the_range_the_sdk_routes_its_key_to() -> None:
    layout, container = PartitionLayout(5), _container()
    ranges = [
        {"id": r.id, "minInclusive": r.min_inclusive, "maxExclusive": r.max_exclusive} for r in layout.ranges(container)
    ]
    routing = CollectionRoutingMap.CompleteRoutingMap([(r, True) for r in ranges], "c")  # type: ignore[no-untyped-call]
    sdk_key = SdkPartitionKey(path="/pk", kind="Hash", version=2)
    seen = set()
    for index in range(200):
        value: Any = f"key-{index}" if index % 3 else index
        epk = effective_partition_key([value], multi_hash=False)
        assert epk == sdk_key._get_effective_partition_key_string([value])
        sdk_range = routing.get_range_by_effective_partition_key(epk)
        mine = layout.range_of(container, epk)
        assert mine.id == sdk_range["id"]
        assert mine.contains(epk)
        seen.add(mine.id)
    assert seen == {"0", "1", "2", "3", "4"}


def test_containers_without_a_partition_key_are_not_split() -> None:
    layout = PartitionLayout(4)
    assert len(layout.ranges(_container({"paths": []}, rid="AgAAAA=="))) == 1
    assert len(layout.ranges(_container({"paths": ["/a", "/b"], "kind": "MultiHash"}, rid="AwAAAA=="))) == 4


def test_version_1_containers_split_their_32_bit_hash_space_as_azure_writes_it() -> None:
    # Azure's range feeds of V1 containers: two ranges meet at 05C1DFFFFFFFFC, five start at 05C1C9CD673398.
    assert split_boundaries(2, hash_version=1) == ["05C1DFFFFFFFFC"]
    assert split_boundaries(5, hash_version=1)[0] == "05C1C9CD673398"
    layout, container = PartitionLayout(5), _container({"paths": ["/pk"], "version": 1}, rid="AQAAAA==")
    ranges = [
        {"id": r.id, "minInclusive": r.min_inclusive, "maxExclusive": r.max_exclusive} for r in layout.ranges(container)
    ]
    routing = CollectionRoutingMap.CompleteRoutingMap([(r, True) for r in ranges], "c")  # type: ignore[no-untyped-call]
    sdk_key = SdkPartitionKey(path="/pk", kind="Hash", version=1)
    seen = set()
    for index in range(100):
        value: Any = f"key-{index}" if index % 2 else index
        epk = epk_of(container, [value])
        # The SDK writes V1 EPKs in lower case and upper-cases every range it compares them with.
        assert epk == str(sdk_key._get_effective_partition_key_string([value])).upper()
        assert layout.range_of(container, epk).id == routing.get_range_by_effective_partition_key(epk)["id"]
        seen.add(layout.range_of(container, epk).id)
    assert seen == {"0", "1", "2", "3", "4"}


def test_throughput_adds_partitions_as_azure_does() -> None:
    assert [partitions_for_throughput(ru) for ru in (0, 400, 6000, 12000, 30000)] == [1, 1, 1, 2, 5]
    assert [partitions_for_throughput(ru, autoscale=True) for ru in (1000, 10000, 30000)] == [1, 1, 3]
    layout = PartitionLayout(1, lambda container: (30000 if container.rid == "BAAAAA==" else 400, False))
    assert len(layout.ranges(_container(rid="BAAAAA=="))) == 5
    assert len(layout.ranges(_container(rid="BQAAAA=="))) == 1


def test_overlapping_ranges_of_an_epk_interval() -> None:
    layout, container = PartitionLayout(4), _container()
    bounds = split_boundaries(4)
    assert [r.id for r in layout.overlapping(container, "", "FF")] == ["0", "1", "2", "3"]
    assert [r.id for r in layout.overlapping(container, bounds[0], bounds[1])] == ["1"]
    assert [r.id for r in layout.overlapping(container, bounds[1][:-1] + "0", bounds[1] + "1")] == ["1", "2"]


def test_partition_token_has_the_backend_shape_and_round_trips() -> None:
    token = PartitionToken(rid="abc=", round_trips=2, offset=7, inner="eyJvIjo3fQ==")
    text = token.encode()
    assert text.startswith("+RID:~abc=#RT:2#TRC:7#ISV:2#IEO:65567#QCF:8#")
    assert PartitionToken.decode(text) == token
    for garbage in ("%%%", "+RID:~x#RT", "+RID:~x#TRC:z#EMU:a"):
        with pytest.raises(BadRequestError):
            PartitionToken.decode(garbage)
    # A token Azure handed out (no emulator state): accepted, naming no position.
    assert PartitionToken.decode("-RID:~a0NPAOszCpOChB4AAAAAAA==#RT:1#TRC:2#ISV:2#IEO:65567#QCF:8").inner == ""


def test_composite_token_is_the_gateways_json_object_or_list() -> None:
    token = CompositeToken(token="+RID:~a#RT:1#TRC:1#EMU:x", min="", max="1F")
    text = token.encode()
    assert text == '{"token":"+RID:~a#RT:1#TRC:1#EMU:x","range":{"min":"","max":"1F"}}'
    assert CompositeToken.decode(text) == token
    assert CompositeToken.decode(f"[{text}]") == token
    assert CompositeToken.decode('{"token":null,"range":{"min":"1F","max":"FF"}}').token is None
    for garbage in ("{", "[]", '{"token":1,"range":{"min":"","max":"FF"}}', '{"range":"x"}'):
        with pytest.raises(BadRequestError):
            CompositeToken.decode(garbage)
