"""Pure parts of the emulator, no I/O: EPK hashing, partition keys, patch, auth links, token codec."""

from __future__ import annotations

from typing import Any

import pytest
from azure.cosmos.partition_key import PartitionKey as SdkPartitionKey

from local_emulators.cosmos.auth import MasterKeyAuth, resource_type_and_link
from local_emulators.cosmos.backend import partition_keys
from local_emulators.cosmos.backend.epk import effective_partition_key
from local_emulators.cosmos.backend.queries import decode_token, encode_token
from local_emulators.cosmos.errors import BadRequestError, UnauthorizedError
from local_emulators.cosmos.patch import apply_patch

KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="


@pytest.mark.parametrize("value", ["a", "", "a longer string that spans several 16-byte blocks", 5, 2.5, True, None])
def test_epk_matches_the_sdk_for_hash_v2(value: Any) -> None:
    sdk = SdkPartitionKey(path="/pk", kind="Hash", version=2)
    expected = sdk._get_effective_partition_key_string([value])
    assert effective_partition_key([value], multi_hash=False) == expected


def test_epk_known_value() -> None:
    assert effective_partition_key(["a"], multi_hash=False) == "3A5381E1114EB8D3FCC90795045B49B7"


def test_epk_matches_the_sdk_for_multi_hash() -> None:
    sdk = SdkPartitionKey(path=["/t", "/u"], kind="MultiHash", version=2)
    assert effective_partition_key(["t1", "u1"], multi_hash=True) == sdk._get_effective_partition_key_string(
        ["t1", "u1"]
    )
    prefix = effective_partition_key(["t1"], multi_hash=True)
    assert effective_partition_key(["t1", "u1"], multi_hash=True).startswith(prefix)


def test_partition_key_extraction_and_header_parsing() -> None:
    paths = [partition_keys.split_path("/a/b")]
    assert partition_keys.extract({"a": {"b": 5.0}}, paths) == (5,)
    assert partition_keys.extract({"a": {}}, paths) == (partition_keys.UNDEFINED,)
    assert partition_keys.parse_header("[{}]") == (partition_keys.UNDEFINED,)
    assert partition_keys.key_string(partition_keys.parse_header("[null]")) != partition_keys.key_string(
        partition_keys.parse_header("[{}]")
    )
    with pytest.raises(BadRequestError):
        partition_keys.parse_header("[not json")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", ("", "")),
        ("/dbs/", ("dbs", "")),
        ("/dbs/d/colls/c/docs/", ("docs", "dbs/d/colls/c")),
        ("/dbs/d/colls/c/docs/id 1/", ("docs", "dbs/d/colls/c/docs/id 1")),
        ("/dbs/d/colls/c/operations/partitionkeydelete", ("colls", "dbs/d/colls/c")),
        ("/offers/AbC=/", ("offers", "offers/AbC=")),
    ],
)
def test_resource_type_and_link(path: str, expected: tuple[str, str]) -> None:
    assert resource_type_and_link(path) == expected


def test_rid_based_offer_link_is_signed_lower_cased() -> None:
    auth = MasterKeyAuth(KEY, check_date=False)
    date = "Sat, 21 Nov 2026 22:11:13 GMT"
    sig = auth.signature("PUT", "offers", "abc=", date)
    header = f"type%3Dmaster%26ver%3D1.0%26sig%3D{sig}"
    auth.verify("PUT", "/offers/AbC=/", {"authorization": header, "x-ms-date": date})
    with pytest.raises(UnauthorizedError):
        auth.verify("PUT", "/offers/Other=/", {"authorization": header, "x-ms-date": date})


def test_patch_operations_are_pure_and_checked() -> None:
    original = {"id": "1", "list": [1, 3], "n": 1}
    patched = apply_patch(
        original, [{"op": "add", "path": "/list/1", "value": 2}, {"op": "incr", "path": "/n", "value": 2}]
    )
    assert patched == {"id": "1", "list": [1, 2, 3], "n": 3}
    assert original == {"id": "1", "list": [1, 3], "n": 1}
    with pytest.raises(BadRequestError):
        apply_patch(original, [{"op": "incr", "path": "/id", "value": 1}])
    with pytest.raises(BadRequestError):
        apply_patch(original, [{"op": "remove", "path": "/list/5"}])
    with pytest.raises(BadRequestError):
        apply_patch(original, [{"op": "frobnicate", "path": "/n"}])


def test_continuation_token_round_trip_and_garbage() -> None:
    payload = {"q": "abc", "o": 10, "l": 4}
    assert decode_token(encode_token(payload)) == payload
    with pytest.raises(BadRequestError):
        decode_token("%%%")
