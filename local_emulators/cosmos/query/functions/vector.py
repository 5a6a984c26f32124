"""VectorDistance by brute force. Source: learn.microsoft.com/azure/cosmos-db/nosql/query/vectordistance.

`VectorDistance(a, b[, bruteForce[, {"distanceFunction": ..., "dataType": ...}]])`: cosine similarity
(default) and dot product grow with similarity, Euclidean distance shrinks with it. The emulator always
searches exhaustively, so `bruteForce` and `dataType` change nothing.
"""

from __future__ import annotations

import math
from typing import Any

from local_emulators.cosmos.query.functions.base import FunctionSpec, spec
from local_emulators.cosmos.query.values import UNDEFINED, is_number, number_result

DEFAULT_DISTANCE = "cosine"


def _vector(value: Any) -> list[float] | None:
    if isinstance(value, list) and value and all(is_number(item) for item in value):
        return [float(item) for item in value]
    return None


def _distance_function(options: Any) -> str | None:
    if options is UNDEFINED:
        return DEFAULT_DISTANCE
    if not isinstance(options, dict):
        return None
    name = options.get("distanceFunction", DEFAULT_DISTANCE)
    return name.lower() if isinstance(name, str) and name.lower() in _DISTANCES else None


def _cosine(a: list[float], b: list[float]) -> float:
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return math.nan if norms == 0 else sum(x * y for x, y in zip(a, b, strict=True)) / norms


def _dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def _euclidean(a: list[float], b: list[float]) -> float:
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)))


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


FUNCTIONS: tuple[FunctionSpec, ...] = (spec("VECTORDISTANCE", 2, 4, vector_distance),)
