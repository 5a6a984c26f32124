"""The `spatialIndexes` part of an indexing policy, checked as the service checks it.

Source: learn.microsoft.com/azure/cosmos-db/index-policy#spatial-indexes: each entry has a `path` ending in
`/*` (or `/?`) and `types` drawn from Point, LineString, Polygon and MultiPolygon. Spatial queries run here
with or without the index (the emulator scans); the policy is kept so reading it back shows what was written.
"""

from __future__ import annotations

from typing import Any

from local_emulators.cosmos.errors import BadRequestError

SPATIAL_TYPES = ("Point", "LineString", "Polygon", "MultiPolygon")


def _invalid(detail: str) -> BadRequestError:
    return BadRequestError(f"One of the specified inputs is invalid. {detail}")


def _check_entry(entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        raise _invalid("Each spatial index must be an object with a 'path'.")
    path = entry["path"]
    if not path.startswith("/") or not (path.endswith("/*") or path.endswith("/?")):
        raise _invalid(f"The spatial index path '{path}' is not valid; it must start with '/' and end with '/*'.")
    types = entry.get("types")
    if not isinstance(types, list) or not types:
        raise _invalid(f"The spatial index on '{path}' must list its 'types'.")
    for kind in types:
        if kind not in SPATIAL_TYPES:
            raise _invalid(f"The spatial type '{kind}' on '{path}' is not supported; use {', '.join(SPATIAL_TYPES)}.")
    if len(set(types)) != len(types):
        raise _invalid(f"The spatial index on '{path}' lists a type twice.")
    return {**entry, "types": list(types)}


def check_spatial_indexes(policy: dict[str, Any]) -> None:
    """Validate `policy["spatialIndexes"]` in place (absent is fine; the service then omits it).

    Raises:
        BadRequestError: An entry without a valid path, with no types, or with an unknown or repeated type.
    """
    if "spatialIndexes" not in policy:
        return
    entries = policy["spatialIndexes"]
    if not isinstance(entries, list):
        raise _invalid("'spatialIndexes' must be a list.")
    checked = [_check_entry(entry) for entry in entries]
    paths = [entry["path"] for entry in checked]
    if len(set(paths)) != len(paths):
        raise _invalid("The same path appears twice in 'spatialIndexes'.")
    policy["spatialIndexes"] = checked
