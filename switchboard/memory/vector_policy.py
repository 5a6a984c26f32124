"""How a Cosmos memory stores and searches: its config, the container's policies, the query text, result rows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from switchboard.memory.content import MemoryContent
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


class CosmosMemoryConfig(BaseModel):
    """How a `CosmosVectorMemory` stores and searches.

    Attributes:
        scope: The partition key value the memory reads and writes (`user:…`, `team:…`, `tenant:…`).
        name: Names the memory in transcript events.
        k: How many memories a query returns at most.
        score_threshold: Drop results less similar than this (cosine or dot product; for euclidean, farther than
            this). Not applied to hybrid results, whose keyword hits may be far in vector space.
        hybrid: Rank by `RRF` of vector similarity and BM25 full-text score instead of vector similarity alone.
        hybrid_weights: RRF weights of the vector and the full-text ranking (None: equal). With equal weights, an
            item first by text and second by vector ties with one first by vector and second by text (ranks are
            dense, so every item without the words shares the second text rank); the default leans to the text
            ranking so an exact identifier or rare word wins such ties.
        metadata_filter: Only memories whose metadata has these values (per query, `filter=` adds to it).
        distance_function: The container's vector distance, used when it is created.
        vector_index: The container's vector index type, used when it is created (`flat` takes ≤ 505 dimensions).
        create_if_missing: Create the database and container on first use (locally); in Azure, Bicep creates them.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    scope: str = Field(min_length=1, max_length=255)
    name: str = "memory"
    k: int = Field(default=3, ge=1, le=100)
    score_threshold: float | None = None
    hybrid: bool = False
    hybrid_weights: tuple[float, float] | None = (1.0, 1.5)
    metadata_filter: dict[str, str | int | float | bool] = Field(default_factory=dict)
    distance_function: DistanceFunction = "cosine"
    vector_index: VectorIndexType = "flat"
    create_if_missing: bool = True


def passes(row: Mapping[str, Any], threshold: float | None, distance: DistanceFunction) -> bool:
    """Whether a result row's `score` clears `threshold` (at least it; for euclidean distance, at most it)."""
    score = row.get("score")
    if threshold is None or not isinstance(score, int | float):
        return True
    return score <= threshold if distance == "euclidean" else score >= threshold


def result_of(row: Mapping[str, Any]) -> MemoryContent:
    """A stored memory row as a result: its content, with `id` and `score` added to its metadata."""
    metadata = {**(row.get("metadata") or {}), "id": row["id"], "score": row.get("score")}
    return MemoryContent.model_validate(
        {"content": row.get("content", ""), "mime_type": row.get("mime_type", "text/plain"), "metadata": metadata}
    )


MemoryScope = Literal["user", "team", "tenant"]


def scope_key(kind: MemoryScope, name: str) -> str:
    """The partition key value of a scope, e.g. `scope_key("team", "research")` → `team:research`."""
    if not name:
        raise MemoryInputError(f"a {kind} scope needs a name")
    return f"{kind}:{name}"
