"""Container settings for vector, full-text and hybrid search tests: policies and indexes as Azure takes them."""

from __future__ import annotations

from typing import Any

DIMENSIONS = 4


def search_settings(distance: str) -> dict[str, Any]:
    """`create_container` keyword arguments: a vector policy on `/v` (`distance`), full text on `/text`."""
    return {
        "vector_embedding_policy": {
            "vectorEmbeddings": [
                {"path": "/v", "dataType": "float32", "distanceFunction": distance, "dimensions": DIMENSIONS}
            ]
        },
        "full_text_policy": {"defaultLanguage": "en-US", "fullTextPaths": [{"path": "/text", "language": "en-US"}]},
        "indexing_policy": {
            "includedPaths": [{"path": "/*"}],
            "excludedPaths": [{"path": "/v/*"}],
            "vectorIndexes": [{"path": "/v", "type": "flat"}],
            "fullTextIndexes": [{"path": "/text"}],
        },
    }
