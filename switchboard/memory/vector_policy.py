"""The memory container's vector embedding policy, vector index and full-text index, and its query text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from switchboard.memory.errors import MemoryInputError

DistanceFunction = Literal["cosine", "dotproduct", "euclidean"]
VectorIndexType = Literal["flat", "quantizedFlat", "diskANN"]

EMBEDDING_PATH = "/embedding"
TEXT_PATH = "/text"
PARTITION_KEY_PATH = "/scope"
MAX_DIMENSIONS = {"flat": 505, "quantizedFlat": 4096, "diskANN": 4096}
"""Azure's limit on vector length per index type."""
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_WORD = re.compile(r"[^\W_]+")
_STOPWORDS = frozenset(
    {
        *("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "how", "i", "in", "is"),
        *("it", "of", "on", "or", "that", "the", "this", "to", "was", "what", "when", "where", "which", "who"),
        *("why", "will", "with", "do", "does", "did", "about", "into", "than", "then", "there", "these", "those"),
        *("you", "your", "we", "our"),
    }
)
MAX_TERMS = 8


def container_policies(
    dimensions: int, distance: DistanceFunction, index: VectorIndexType
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The vector embedding policy, indexing policy and full-text policy of a memory container.

    Raises:
        MemoryInputError: `dimensions` is out of range for the index type.
    """
    limit = MAX_DIMENSIONS[index]
    if not 1 <= dimensions <= limit:
        raise MemoryInputError(f"a {index} vector index takes 1 to {limit} dimensions, not {dimensions}")
    vector_policy = {
        "vectorEmbeddings": [
            {"path": EMBEDDING_PATH, "dataType": "float32", "distanceFunction": distance, "dimensions": dimensions}
        ]
    }
    indexing = {
        "indexingMode": "consistent",
        "automatic": True,
        "includedPaths": [{"path": "/*"}],
        # Vectors are searched through the vector index; range-indexing 384 floats per item only costs RUs.
        "excludedPaths": [{"path": '/"_etag"/?'}, {"path": EMBEDDING_PATH + "/*"}],
        "vectorIndexes": [{"path": EMBEDDING_PATH, "type": index}],
        "fullTextIndexes": [{"path": TEXT_PATH}],
    }
    full_text = {"defaultLanguage": "en-US", "fullTextPaths": [{"path": TEXT_PATH, "language": "en-US"}]}
    return vector_policy, indexing, full_text


def policy_dimensions(properties: Mapping[str, Any]) -> tuple[int, DistanceFunction] | None:
    """The dimensions and distance function an existing container declares for `/embedding`, if any."""
    policy = properties.get("vectorEmbeddingPolicy") or {}
    for entry in policy.get("vectorEmbeddings") or ():
        if entry.get("path") == EMBEDDING_PATH and isinstance(entry.get("dimensions"), int):
            return entry["dimensions"], entry.get("distanceFunction", "cosine")
    return None


def search_terms(text: str) -> list[str]:
    """The distinct content words of a query, for `FullTextScore` (at most `MAX_TERMS`)."""
    terms: list[str] = []
    for word in _WORD.findall(text.lower()):
        if word not in _STOPWORDS and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def filter_clause(metadata_filter: Mapping[str, Any], params: list[dict[str, Any]]) -> str:
    """` AND c.metadata.<key> = @fN …` for each key (appending the parameters).

    Raises:
        MemoryInputError: A key is not a plain identifier, or a value is not a string, number or boolean.
    """
    parts: list[str] = []
    for i, (key, value) in enumerate(sorted(metadata_filter.items())):
        if not _KEY.match(key):
            raise MemoryInputError(f"metadata filter key {key!r} must be an identifier (letters, digits, _)")
        if not isinstance(value, str | int | float | bool) or value is None:
            raise MemoryInputError(f"metadata filter value for {key!r} must be a string, number or boolean")
        params.append({"name": f"@f{i}", "value": value})
        parts.append(f" AND c.metadata.{key} = @f{i}")
    return "".join(parts)


def search_query(
    *,
    hybrid: bool,
    terms: list[str],
    where: str,
    params: list[dict[str, Any]],
    weights: tuple[float, float] | None = None,
) -> str:
    """The SQL of a top-k search: by `VectorDistance`, or by `RRF` of it and `FullTextScore` of `terms`.

    Args:
        hybrid: Rank by RRF (falls back to vector ranking when the query has no content words).
        terms: The full-text search terms.
        where: Extra `AND …` conditions.
        params: The query parameters, extended with the weights.
        weights: RRF weights of the vector and the full-text ranking; None weighs them equally.
    """
    select = (
        "SELECT TOP @k c.id, c.content, c.mime_type, c.metadata, c.created_at, "
        "VectorDistance(c.embedding, @vector) AS score FROM c WHERE c.type = 'memory'" + where
    )
    if not hybrid or not terms:
        return select + " ORDER BY VectorDistance(c.embedding, @vector)"
    # Terms are written as literals: `search_terms` keeps only letters and digits, so nothing needs escaping, and
    # older SDKs mishandle parameterised hybrid queries (azure-cosmos 4.14.0b3 fixed one such bug).
    literals = ", ".join(f'"{term}"' for term in terms if _WORD.fullmatch(term))
    ranks = f"VectorDistance(c.embedding, @vector), FullTextScore(c.text, {literals})"
    if weights is not None:
        params.append({"name": "@weights", "value": list(weights)})
        ranks += ", @weights"
    return select + f" ORDER BY RANK RRF({ranks})"
