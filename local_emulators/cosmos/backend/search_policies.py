"""Vector and full-text container settings, checked at create and replace as the service checks them.

Sources: learn.microsoft.com/azure/cosmos-db/nosql/vector-search (vector embedding policy: `path`,
`dataType` float32 (default), float16, int8 or uint8, `distanceFunction` cosine, dotproduct or euclidean,
`dimensions`; vector indexes `flat` up to 505 dimensions, `quantizedFlat` and `diskANN` up to 4096, on a
path of the vector policy; `quantizationByteSize` 1-512, `indexingSearchListSize` 25-500) and
.../gen-ai/full-text-search (`fullTextPolicy.defaultLanguage` and `fullTextPaths[{path, language}]`; a
full-text index on a path of the full-text policy).
"""

from __future__ import annotations

from typing import Any, TypeGuard

from local_emulators.cosmos.errors import BadRequestError

DATA_TYPES = frozenset({"float32", "float16", "int8", "uint8"})
DISTANCE_FUNCTIONS = frozenset({"cosine", "dotproduct", "euclidean"})
INDEX_MAX_DIMENSIONS = {"flat": 505, "quantizedFlat": 4096, "diskANN": 4096}
MAX_DIMENSIONS = 4096
LANGUAGES = frozenset({"en-us", "fr-fr", "de-de", "es-es", "it-it", "pt-br", "pt-pt"})


def _invalid(detail: str) -> BadRequestError:
    return BadRequestError(f"One of the specified inputs is invalid. {detail}")


def _path(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.startswith("/") or value == "/" or "*" in value or "?" in value:
        raise _invalid(f"The {what} path {value!r} must be a property path such as '/embedding'.")
    return value


def _integer(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


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
        raise _invalid("The vector embedding policy must hold a 'vectorEmbeddings' list.")
    dimensions: dict[str, int] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise _invalid("Each vector embedding must be a JSON object.")
        path = _path(entry.get("path"), "vector embedding")
        if path in dimensions:
            raise _invalid(f"The vector embedding path '{path}' is declared more than once.")
        data_type = entry.get("dataType", "float32")
        if not isinstance(data_type, str) or data_type.lower() not in DATA_TYPES:
            raise _invalid(f"The vector data type {data_type!r} of path '{path}' is not one of {sorted(DATA_TYPES)}.")
        distance = entry.get("distanceFunction")
        if not isinstance(distance, str) or distance.lower() not in DISTANCE_FUNCTIONS:
            raise _invalid(
                f"The distance function {distance!r} of path '{path}' is not one of {sorted(DISTANCE_FUNCTIONS)}."
            )
        count = entry.get("dimensions")
        if not _integer(count) or not 1 <= count <= MAX_DIMENSIONS:
            raise _invalid(f"The dimensions {count!r} of path '{path}' must be an integer from 1 to {MAX_DIMENSIONS}.")
        dimensions[path] = count
    return dimensions


def _check_vector_indexes(indexing: dict[str, Any], dimensions: dict[str, int]) -> None:
    indexes = indexing.get("vectorIndexes") or []
    if not isinstance(indexes, list):
        raise _invalid("'vectorIndexes' must be a list.")
    for index in indexes:
        if not isinstance(index, dict):
            raise _invalid("Each vector index must be a JSON object.")
        path = _path(index.get("path"), "vector index")
        kind = index.get("type")
        if kind not in INDEX_MAX_DIMENSIONS:
            raise _invalid(
                f"The vector index type {kind!r} of path '{path}' is not one of {list(INDEX_MAX_DIMENSIONS)}."
            )
        if path not in dimensions:
            raise _invalid(f"The vector index path '{path}' is not a path of the container's vector embedding policy.")
        if dimensions[path] > INDEX_MAX_DIMENSIONS[kind]:
            raise _invalid(
                f"The vector index of type '{kind}' on path '{path}' supports at most {INDEX_MAX_DIMENSIONS[kind]} "
                f"dimensions; the vector embedding policy declares {dimensions[path]}."
            )
        size = index.get("quantizationByteSize")
        if size is not None and (kind == "flat" or not _integer(size) or not 1 <= size <= min(512, dimensions[path])):
            raise _invalid(f"The quantizationByteSize {size!r} of path '{path}' is not valid for a '{kind}' index.")
        search_list = index.get("indexingSearchListSize")
        if search_list is not None and (kind != "diskANN" or not _integer(search_list) or not 25 <= search_list <= 500):
            raise _invalid(
                f"The indexingSearchListSize {search_list!r} of path '{path}' must be 25-500 on a diskANN index."
            )


def _full_text_paths(body: dict[str, Any]) -> set[str]:
    policy = body.get("fullTextPolicy")
    if policy is None:
        return set()
    if not isinstance(policy, dict):
        raise _invalid("The full-text policy must be a JSON object.")
    language = policy.get("defaultLanguage", "en-US")
    if not isinstance(language, str) or language.lower() not in LANGUAGES:
        raise _invalid(f"The full-text default language {language!r} is not supported.")
    entries = policy.get("fullTextPaths") or []
    if not isinstance(entries, list):
        raise _invalid("'fullTextPaths' must be a list.")
    paths: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict):
            raise _invalid("Each full-text path must be a JSON object.")
        path = _path(entry.get("path"), "full-text")
        entry_language = entry.get("language", language)
        if not isinstance(entry_language, str) or entry_language.lower() not in LANGUAGES:
            raise _invalid(f"The full-text language {entry_language!r} of path '{path}' is not supported.")
        paths.add(path)
    return paths


def check_search_policies(body: dict[str, Any]) -> None:
    """Refuse invalid vector embedding and full-text policies and the vector and full-text indexes.

    Raises:
        BadRequestError: The first problem found, in the service's "One of the specified inputs is invalid" form.
    """
    dimensions = vector_dimensions(body)
    text_paths = _full_text_paths(body)
    indexing = body.get("indexingPolicy")
    if not isinstance(indexing, dict):
        return
    _check_vector_indexes(indexing, dimensions)
    indexes = indexing.get("fullTextIndexes") or []
    if not isinstance(indexes, list):
        raise _invalid("'fullTextIndexes' must be a list.")
    for index in indexes:
        path = _path(index.get("path") if isinstance(index, dict) else None, "full-text index")
        if path not in text_paths:
            raise _invalid(f"The full-text index path '{path}' is not a path of the container's full-text policy.")
