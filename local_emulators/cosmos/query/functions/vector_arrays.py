"""Stored vectors as numpy arrays, converted once and reused while the same list object is queried again.

A document's embedding is a list the store keeps unchanged for as long as the document is unchanged
(a replaced document brings a new list), and a query's literal vector is one constant list (the
compiler folds literals), so a cache keyed by the list's identity turns per-row conversion and
validation of long embeddings into a dictionary lookup. Holding the list in the entry keeps its
identity from being reused; the cache is emptied when it holds more than `_MAX_FLOATS` numbers.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

_MAX_FLOATS = 8_000_000  # 64 MB of float64 (e.g. 20,000 vectors of 384 dimensions)
_NUMBER_TYPES = frozenset({int, float})
_cache: dict[int, tuple[list[Any], np.ndarray | None]] = {}
_held = 0
_lock = threading.Lock()


def as_array(value: Any) -> np.ndarray | None:
    """The float64 array of a non-empty list of numbers (bool excluded), None for anything else."""
    import numpy as np  # loaded on first use, not at the emulator's start-up

    global _held
    if not isinstance(value, list):
        return None
    found = _cache.get(id(value))
    if found is not None and found[0] is value:
        return found[1]
    # Exact type checks: a bool is not a number to VectorDistance.
    valid = bool(value) and all(type(item) in _NUMBER_TYPES for item in value)
    array = np.asarray(value, dtype=np.float64) if valid else None
    with _lock:
        if _held + len(value) > _MAX_FLOATS:
            _cache.clear()
            _held = 0
        _cache[id(value)] = (value, array)
        _held += len(value)
    return array
