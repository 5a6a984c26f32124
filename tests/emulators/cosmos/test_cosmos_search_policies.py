"""Vector and full-text container settings and full-text predicates through the real azure-cosmos SDK.

Invalid policies and indexes are refused at create and replace with the service's messages (as
Microsoft's own `test_vector_policy.py` and `test_full_text_policy.py` expect them); see
docs/emulators-cosmos-vector.md.
"""

from __future__ import annotations

from typing import Any

import pytest
from azure.cosmos import DatabaseProxy, PartitionKey, exceptions

from tests.support.search_containers import search_settings


def test_full_text_contains_functions_stem_english_words(database: DatabaseProxy) -> None:
    container = database.create_container("ft", PartitionKey("/pk"), **search_settings("cosine"))
    container.create_item({"id": "a", "pk": "x", "text": "The dogs were running by the sea", "v": [1, 0, 0, 0]})
    container.create_item({"id": "b", "pk": "y", "text": "A cat swims", "v": [0, 1, 0, 0]})

    def ids(where: str) -> list[str]:
        query = f"SELECT VALUE c.id FROM c WHERE {where} ORDER BY c.id"
        return list(container.query_items(query, enable_cross_partition_query=True))

    assert ids("FullTextContains(c.text, 'run')") == ["a"]
    assert ids("FullTextContains(c.text, 'dog were runs')") == ["a"]
    assert ids("FullTextContainsAll(c.text, 'swimming', 'cats')") == ["b"]
    assert ids("FullTextContainsAll(c.text, 'swim', 'sea')") == []
    assert ids("FullTextContainsAny(c.text, 'swim', 'sea')") == ["a", "b"]


BAD_POLICIES = [
    ({"vectorIndexes": [{"path": "/v", "type": "flat"}]}, 600, "cosine", "Index Type::flat supports at most 505"),
    ({"vectorIndexes": [{"path": "/w", "type": "diskANN"}]}, 8, "cosine", "path::/w not matching in Embedding's path"),
    ({"vectorIndexes": [{"path": "/v", "type": "hnsw"}]}, 8, "cosine", "Index Type::hnsw is invalid"),
    ({}, 8, "manhattan", "invalid DistanceFunction:manhattan"),
    ({}, 5000, "cosine", "Dimensions:5000 which is more than the maximum supported value"),
    ({"fullTextIndexes": [{"path": "/body"}]}, 8, "cosine", "is not a path of the Full Text Policy"),
    (
        {"vectorIndexes": [{"path": "/v", "type": "quantizedFlat", "quantizationByteSize": 9}]},
        8,
        "cosine",
        "QuantizationByteSize value :: 9 is out of range. The allowed range is between 1 and 8.",
    ),
]


@pytest.mark.parametrize(("indexes", "dimensions", "distance", "message"), BAD_POLICIES)
def test_invalid_search_policies_are_refused(
    database: DatabaseProxy, indexes: dict[str, Any], dimensions: int, distance: str, message: str
) -> None:
    vector_policy = {
        "vectorEmbeddings": [
            {"path": "/v", "dataType": "float32", "distanceFunction": distance, "dimensions": dimensions}
        ]
    }
    indexing = {"includedPaths": [{"path": "/*"}], "excludedPaths": [{"path": "/v/*"}], **indexes}
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        database.create_container(
            "bad",
            PartitionKey("/pk"),
            vector_embedding_policy=vector_policy,
            indexing_policy=indexing,
            full_text_policy={"defaultLanguage": "en-US", "fullTextPaths": [{"path": "/text"}]},
        )
    assert caught.value.status_code == 400
    assert message in str(caught.value.message)
    assert "bad" not in [c["id"] for c in database.list_containers()]


def test_replace_checks_the_policies_and_keeps_vectorsearch_settings(database: DatabaseProxy) -> None:
    settings = search_settings("cosine")
    container = database.create_container("ok", PartitionKey("/pk"), **settings)
    changed_index = {**settings["indexing_policy"], "vectorIndexes": [{"path": "/v", "type": "quantizedFlat"}]}
    changed_policy = {
        "vectorEmbeddings": [{"path": "/v", "dataType": "float32", "distanceFunction": "dotproduct", "dimensions": 4}]
    }
    attempts = [
        (
            {"indexing_policy": {"vectorIndexes": [{"path": "/nowhere", "type": "flat"}]}},
            "not matching in Embedding's path",
        ),
        ({**settings, "indexing_policy": changed_index}, "existing vector indexing policy cannot be modified"),
        ({**settings, "vector_embedding_policy": changed_policy}, "existing embedding policy cannot be modified"),
    ]
    for arguments, message in attempts:
        with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
            database.replace_container(container, PartitionKey("/pk"), **arguments)
        assert caught.value.status_code == 400
        assert message in str(caught.value.message)
    replaced = database.replace_container(container, PartitionKey("/pk"), **settings).read()
    assert replaced["vectorEmbeddingPolicy"] == settings["vector_embedding_policy"]
