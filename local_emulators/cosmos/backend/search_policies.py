"""Vector and full-text container settings, checked at create and replace as the service checks them.

Sources: learn.microsoft.com/azure/cosmos-db/nosql/vector-search (vector embedding policy: `path`,
`dataType` float32 (default), float16, int8 or uint8, `distanceFunction` cosine, dotproduct or euclidean,
`dimensions` up to 4096; vector indexes `flat` up to 505 dimensions, `quantizedFlat` and `diskANN` up to
4096, on a path of the vector policy) and .../gen-ai/full-text-search (`fullTextPolicy.defaultLanguage`,
`fullTextPaths[{path, language}]`, full-text indexes on its paths). The messages are the service's, as
Microsoft's own SDK tests expect them (`test_vector_policy.py`, `test_full_text_policy.py`), including
the parameter ranges (`quantizationByteSize` 1 to min(512, dimensions), `indexingSearchListSize` 25-500,
one `vectorIndexShardKey` path) and the rule that replacing a container cannot change existing vector
embeddings or vector indexes.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from local_emulators.cosmos.errors import BadRequestError

DATA_TYPES = frozenset({"float32", "float16", "int8", "uint8"})
DISTANCE_FUNCTIONS = frozenset({"cosine", "dotproduct", "euclidean"})
INDEX_MAX_DIMENSIONS = {"flat": 505, "quantizedFlat": 4096, "diskANN": 4096}
MAX_DIMENSIONS = 4096
LANGUAGES = frozenset({"en-us", "fr-fr", "de-de", "es-es", "it-it", "pt-br", "pt-pt"})
_GENERIC = "One of the specified inputs is invalid"


def _integer(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_path(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith("/") and value != "/" and "*" not in value and "?" not in value


def _vector_entry(entry: Any, dimensions: dict[str, int]) -> None:
    if not isinstance(entry, dict):
        raise BadRequestError(f"{_GENERIC}: each vector embedding must be a JSON object.")
    path = entry.get("path")
    if not _is_path(path):
        raise BadRequestError(f"The Vector Embedding Policy has an invalid Path:{path}.")
    if path in dimensions:
        raise BadRequestError(f"The Vector Embedding Policy has a duplicate Path:{path}.")
    data_type = entry.get("dataType", "float32")
    if not isinstance(data_type, str) or data_type.lower() not in DATA_TYPES:
        raise BadRequestError(
            f"The Vector Embedding Policy has an invalid DataType:{data_type}. Supported types: float32, float16, "
            "int8, uint8."
        )
    distance = entry.get("distanceFunction")
    if not isinstance(distance, str) or distance.lower() not in DISTANCE_FUNCTIONS:
        raise BadRequestError(
            f"The Vector Embedding Policy has an invalid DistanceFunction:{distance}. Supported functions: "
            "cosine, dotproduct, euclidean."
        )
    count = entry.get("dimensions")
    if not _integer(count):
        raise BadRequestError(f"The Vector Embedding Policy has invalid Dimensions:{count}.")
    if count > MAX_DIMENSIONS:
        raise BadRequestError(
            f"The Vector Embedding Policy has Dimensions:{count} which is more than the maximum supported value: "
            f"{MAX_DIMENSIONS}."
        )
    if count < 1:
        raise BadRequestError(
            f"The Vector Embedding Policy has Dimensions:{count} which is less than the minimum supported value: 1."
        )
    dimensions[path] = count


def vector_dimensions(body: dict[str, Any]) -> dict[str, int]:
    """Check `vectorEmbeddingPolicy`; the dimensions of each of its paths.

    Raises:
        BadRequestError: A malformed entry, a duplicate path, an unknown data type or distance function,
            or dimensions outside 1-4096.
    """
    policy = body.get("vectorEmbeddingPolicy")
    if policy is None:
        return {}
    entries = policy.get("vectorEmbeddings") if isinstance(policy, dict) else None
    if not isinstance(entries, list):
        raise BadRequestError(f"{_GENERIC}: the vector embedding policy must hold a 'vectorEmbeddings' list.")
    dimensions: dict[str, int] = {}
    for entry in entries:
        _vector_entry(entry, dimensions)
    return dimensions


def _check_shard_key(index: dict[str, Any]) -> None:
    shard = index.get("vectorIndexShardKey")
    if shard is None:
        return
    if not isinstance(shard, list):
        raise BadRequestError(f"{_GENERIC}: 'vectorIndexShardKey' must be a list of paths.")
    if len(shard) > 1:
        raise BadRequestError(
            f"The number of shard paths defined in the Vector Indexing Policy: {len(shard)} exceeds the maximum: 1."
        )
    for path in shard:
        if not _is_path(path):
            raise BadRequestError(f"The Vector Indexing Policy has an invalid Shard Path: {path}.")


def _check_vector_index(index: Any, dimensions: dict[str, int]) -> None:
    if not isinstance(index, dict):
        raise BadRequestError(f"{_GENERIC}: each vector index must be a JSON object.")
    path, kind = index.get("path"), index.get("type")
    if not isinstance(path, str) or path not in dimensions:
        raise BadRequestError(f"The Vector Indexing Policy's path::{path} not matching in Embedding's path.")
    if kind not in INDEX_MAX_DIMENSIONS:
        raise BadRequestError(f"The Vector Indexing Policy's Index Type::{kind} is invalid.")
    if dimensions[path] > INDEX_MAX_DIMENSIONS[kind]:
        raise BadRequestError(
            f"The Vector Indexing Policy's Index Type::{kind} supports at most {INDEX_MAX_DIMENSIONS[kind]} "
            f"dimensions, but the Vector Embedding Policy's path::{path} has Dimensions:{dimensions[path]}."
        )
    size = index.get("quantizationByteSize")
    top = min(512, dimensions[path])
    if size is not None and (not _integer(size) or not 1 <= size <= top):
        raise BadRequestError(
            f"The Vector Indexing Policy parameter QuantizationByteSize value :: {size} is out of range. "
            f"The allowed range is between 1 and {top}."
        )
    search_list = index.get("indexingSearchListSize")
    if search_list is not None and (not _integer(search_list) or not 25 <= search_list <= 500):
        raise BadRequestError(
            f"The Vector Indexing Policy parameter IndexingSearchListSize value :: {search_list} is out of range. "
            "The allowed range is between 25 and 500."
        )
    _check_shard_key(index)


def _full_text_paths(body: dict[str, Any]) -> set[str]:
    policy = body.get("fullTextPolicy")
    if policy is None:
        return set()
    if not isinstance(policy, dict):
        raise BadRequestError(f"{_GENERIC}: the full-text policy must be a JSON object.")
    language = policy.get("defaultLanguage", "en-US")
    if not isinstance(language, str) or language.lower() not in LANGUAGES:
        raise BadRequestError(f"The Full Text Policy contains an unsupported language {language}.")
    entries = policy.get("fullTextPaths") or []
    if not isinstance(entries, list):
        raise BadRequestError(f"{_GENERIC}: 'fullTextPaths' must be a list.")
    paths: set[str] = set()
    for entry in entries:
        path = entry.get("path") if isinstance(entry, dict) else None
        if not _is_path(path):
            raise BadRequestError(f"The Full Text Policy contains an invalid Path: {path}.")
        entry_language = entry.get("language", language)
        if not isinstance(entry_language, str) or entry_language.lower() not in LANGUAGES:
            raise BadRequestError(f"The Full Text Policy contains an unsupported language {entry_language}.")
        paths.add(path)
    return paths


def check_search_policies(body: dict[str, Any]) -> None:
    """Refuse invalid vector embedding and full-text policies and the vector and full-text indexes.

    Raises:
        BadRequestError: The first problem found, in the service's words.
    """
    dimensions = vector_dimensions(body)
    text_paths = _full_text_paths(body)
    indexing = body.get("indexingPolicy")
    if not isinstance(indexing, dict):
        return
    vector_indexes = indexing.get("vectorIndexes") or []
    if not isinstance(vector_indexes, list):
        raise BadRequestError(f"{_GENERIC}: 'vectorIndexes' must be a list.")
    for index in vector_indexes:
        _check_vector_index(index, dimensions)
    text_indexes = indexing.get("fullTextIndexes") or []
    if not isinstance(text_indexes, list):
        raise BadRequestError(f"{_GENERIC}: 'fullTextIndexes' must be a list.")
    for index in text_indexes:
        path = index.get("path") if isinstance(index, dict) else None
        if not _is_path(path):
            raise BadRequestError(f"The Full Text Index contains an invalid Path: {path}.")
        if path not in text_paths:
            raise BadRequestError(f"The Full Text Index path {path} is not a path of the Full Text Policy.")


def check_search_policy_changes(existing: dict[str, Any], replacement: dict[str, Any]) -> None:
    """Refuse a replace that changes the container's existing vector embeddings or vector indexes.

    Raises:
        BadRequestError: With the service's message for the part changed.
    """
    old_embeddings = (existing.get("vectorEmbeddingPolicy") or {}).get("vectorEmbeddings") or []
    new_embeddings = (replacement.get("vectorEmbeddingPolicy") or {}).get("vectorEmbeddings") or []
    if old_embeddings and new_embeddings and old_embeddings != new_embeddings:
        raise BadRequestError("Paths in existing embedding policy cannot be modified in Collection Replace")
    old_indexes = (existing.get("indexingPolicy") or {}).get("vectorIndexes") or []
    new_indexes = (replacement.get("indexingPolicy") or {}).get("vectorIndexes") or []
    if old_indexes and new_indexes and old_indexes != new_indexes:
        raise BadRequestError("Paths in existing vector indexing policy cannot be modified in Collection Replace")
