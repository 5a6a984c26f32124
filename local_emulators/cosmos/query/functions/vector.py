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
from typing import TYPE_CHECKING, Any

from local_emulators.cosmos.query.functions.base import FunctionSpec, spec
from local_emulators.cosmos.query.functions.vector_arrays import as_array
from local_emulators.cosmos.query.values import UNDEFINED, number_result

if TYPE_CHECKING:
    import numpy as np

DEFAULT_DISTANCE = "cosine"


def _distance_function(options: Any) -> str | None:
    if options is UNDEFINED:
        return DEFAULT_DISTANCE
    if not isinstance(options, dict):
        return None
    name = options.get("distanceFunction", DEFAULT_DISTANCE)
    return name.lower() if isinstance(name, str) and name.lower() in _DISTANCES else None


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    import numpy as np  # loaded on first use, not at the emulator's start-up

    norms = float(np.linalg.norm(a)) * float(np.linalg.norm(b))
    return math.nan if norms == 0 else float(a @ b) / norms


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def _euclidean(a: np.ndarray, b: np.ndarray) -> float:
    import numpy as np  # loaded on first use, not at the emulator's start-up

    return float(np.linalg.norm(a - b))


_DISTANCES = {"cosine": _cosine, "dotproduct": _dot, "euclidean": _euclidean}


def vector_distance(left: Any, right: Any, brute_force: Any = UNDEFINED, options: Any = UNDEFINED) -> Any:
    """Score of two equal-length numeric vectors, undefined for anything else."""
    a, b = as_array(left), as_array(right)
    name = _distance_function(options)
    if a is None or b is None or a.shape != b.shape or name is None:
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
