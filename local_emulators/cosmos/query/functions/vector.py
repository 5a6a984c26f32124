"""VectorDistance by brute force. Source: learn.microsoft.com/azure/cosmos-db/nosql/query/vectordistance.

`VectorDistance(a, b[, bruteForce[, {"distanceFunction": ..., "dataType": ...}]])`: cosine similarity
and dot product grow with similarity, Euclidean distance shrinks with it. Without a `distanceFunction`
the container's vector embedding policy decides (`query.vector_policy` writes it into the call before
compiling); cosine applies only when no policy names the path. The emulator always searches
exhaustively, so `bruteForce` and `dataType` change nothing.

`_VectorScore(...)` is what hybrid-search plans send to each partition: the same value oriented so that
higher is always more similar (the Euclidean distance negated), so `ORDER BY _VectorScore(...) DESC`
puts the most similar first for every distance function.
"""

from __future__ import annotations

import math
import operator
from typing import Any

from local_emulators.cosmos.query.functions.base import FunctionSpec, spec
from local_emulators.cosmos.query.values import UNDEFINED, number_result

DEFAULT_DISTANCE = "cosine"
_NUMBER_TYPES = frozenset({int, float})


def _vector(value: Any) -> list[float] | None:
    # Exact type checks (bool is not a number here) keep validation cheap for long embeddings.
    if isinstance(value, list) and value and all(type(item) in _NUMBER_TYPES for item in value):
        return value
    return None


def _distance_function(options: Any) -> str | None:
    if options is UNDEFINED:
        return DEFAULT_DISTANCE
    if not isinstance(options, dict):
        return None
    name = options.get("distanceFunction", DEFAULT_DISTANCE)
    return name.lower() if isinstance(name, str) and name.lower() in _DISTANCES else None


def _dot(a: list[float], b: list[float]) -> float:
    # map() over operator.mul is several times faster than a generator for long embeddings.
    return float(sum(map(operator.mul, a, b)))


def _cosine(a: list[float], b: list[float]) -> float:
    norms = math.sqrt(_dot(a, a)) * math.sqrt(_dot(b, b))
    return math.nan if norms == 0 else _dot(a, b) / norms


def _euclidean(a: list[float], b: list[float]) -> float:
    return math.dist(a, b)


_DISTANCES = {"cosine": _cosine, "dotproduct": _dot, "euclidean": _euclidean}


def vector_distance(left: Any, right: Any, brute_force: Any = UNDEFINED, options: Any = UNDEFINED) -> Any:
    """Score of two equal-length numeric vectors, undefined for anything else."""
    a, b = _vector(left), _vector(right)
    name = _distance_function(options)
    if a is None or b is None or len(a) != len(b) or name is None:
        return UNDEFINED
    if brute_force is not UNDEFINED and not isinstance(brute_force, bool):
        return UNDEFINED
    return number_result(_DISTANCES[name](a, b))


def distance_name(options: Any) -> str | None:
    """The distance function an options object names (cosine when it names none), None when invalid."""
    return _distance_function(options)


def vector_score(left: Any, right: Any, brute_force: Any = UNDEFINED, options: Any = UNDEFINED) -> Any:
    """`VectorDistance` oriented so that higher is more similar for every distance function."""
    value = vector_distance(left, right, brute_force, options)
    if value is UNDEFINED or _distance_function(options) != "euclidean":
        return value
    return -value


FUNCTIONS: tuple[FunctionSpec, ...] = (
    spec("VECTORDISTANCE", 2, 4, vector_distance),
    spec("_VECTORSCORE", 2, 4, vector_score),
)
