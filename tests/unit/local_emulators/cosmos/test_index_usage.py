"""Which indexes a query uses, judged from its filter and ORDER BY against an indexing policy."""

from __future__ import annotations

from local_emulators.cosmos.query.index_usage import index_usage, is_indexed
from local_emulators.cosmos.query.parser import parse

POLICY = {
    "includedPaths": [{"path": "/*"}],
    "excludedPaths": [{"path": "/q/*"}, {"path": "/_etag/?"}],
    "compositeIndexes": [[{"path": "/a", "order": "ascending"}, {"path": "/b", "order": "descending"}]],
}


def test_most_specific_policy_path_decides() -> None:
    assert is_indexed(POLICY, "/name")
    assert not is_indexed(POLICY, "/q/r")
    assert not is_indexed({"indexingMode": "none"}, "/name")
    assert is_indexed({"includedPaths": [{"path": "/*"}], "excludedPaths": [{"path": "/*"}]}, "/x") is False


def test_filters_split_into_utilized_and_potential() -> None:
    query = "SELECT * FROM c WHERE ARRAY_CONTAINS(c.tags, 'x') AND STARTSWITH(c.name, 'a') AND c.q.r IN (1, 2)"
    usage = index_usage(parse(query), POLICY)
    assert usage.utilized_single == ["/tags/[]/?", "/name/?"]
    assert usage.potential_single == ["/q/r/?"]
    assert not usage.filter_fully_indexed


def test_a_count_over_indexed_filters_reads_no_document() -> None:
    usage = index_usage(parse("SELECT VALUE COUNT(1) FROM c WHERE c.n > 3"), POLICY, ["/pk"])
    assert usage.utilized_single == ["/pk/?", "/n/?"]
    assert usage.filter_fully_indexed
    assert not usage.reads_documents
    computed = index_usage(parse("SELECT VALUE COUNT(1) FROM c WHERE LOWER(c.s) = 'a'"), POLICY)
    assert not computed.filter_fully_indexed  # a function of the value: every document is loaded


def test_composite_indexes_match_in_order_or_reversed() -> None:
    reversed_order = index_usage(parse("SELECT * FROM c ORDER BY c.a DESC, c.b ASC"), POLICY)
    assert reversed_order.utilized_composite == [["/a DESC", "/b ASC"]]
    other = index_usage(parse("SELECT * FROM c ORDER BY c.a ASC, c.b ASC"), POLICY)
    assert other.potential_composite == [["/a ASC", "/b ASC"]]
    filtered = index_usage(parse("SELECT * FROM c WHERE c.x = 1 ORDER BY c.y"), POLICY)
    assert filtered.potential_composite == [["/x ASC", "/y ASC"]]
