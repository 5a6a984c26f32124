"""Container settings as the service stores them: indexing policies completed, invalid settings refused.

Sources: learn.microsoft.com/azure/cosmos-db/index-policy (defaults: consistent, automatic, `/*` included,
`/"_etag"/?` excluded), time-to-live (`defaultTtl` is -1 or a positive number of seconds, as is an
item's `ttl`) and computed-properties (at most 20, `SELECT VALUE <expr> FROM c`, names that are not
system properties).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from local_emulators.cosmos.backend.spatial_policy import check_spatial_indexes
from local_emulators.cosmos.errors import BadRequestError

ETAG_EXCLUSION = '/"_etag"/?'
MAX_COMPUTED_PROPERTIES = 20
_RESERVED_NAMES = {"id", "_rid", "_ts", "_etag", "_self", "_attachments", "_lsn", "ttl"}


def _invalid(detail: str) -> BadRequestError:
    # The service's words; the SDK's tests look for them.
    return BadRequestError(f"One of the specified inputs is invalid. {detail}")


def complete_indexing_policy(policy: Any) -> dict[str, Any]:
    """Fill in what the service fills in: mode, automatic, the `/*` root path and the `_etag` exclusion.

    Legacy per-path `indexes` (kind, dataType, precision) are dropped, as the current service does.
    """
    if policy is None:
        policy = {}
    if not isinstance(policy, dict):
        raise _invalid("The indexing policy must be a JSON object.")
    completed = copy.deepcopy(policy)
    mode = str(completed.get("indexingMode") or "consistent").lower()
    if mode not in {"consistent", "lazy", "none"}:
        raise _invalid(f"Unknown indexing mode '{completed.get('indexingMode')}'.")
    completed["indexingMode"] = mode
    check_spatial_indexes(completed)
    completed.setdefault("automatic", mode != "none")
    if mode == "none":
        completed["includedPaths"] = completed.get("includedPaths") or []
        completed["excludedPaths"] = completed.get("excludedPaths") or []
        return completed
    for key in ("includedPaths", "excludedPaths"):
        paths = completed.get(key) or []
        if not isinstance(paths, list) or not all(
            isinstance(p, dict) and isinstance(p.get("path"), str) for p in paths
        ):
            raise _invalid(f"'{key}' must be a list of objects with a 'path'.")
        completed[key] = [{k: v for k, v in path.items() if k != "indexes"} for path in paths]
    if not completed["includedPaths"]:
        completed["includedPaths"] = [{"path": "/*"}]
    if not any(path["path"] == ETAG_EXCLUSION for path in completed["excludedPaths"]):
        completed["excludedPaths"].append({"path": ETAG_EXCLUSION})
    return completed


def check_default_ttl(body: dict[str, Any]) -> None:
    """`defaultTtl`, when present, is -1 (items decide) or a positive number of seconds."""
    if "defaultTtl" not in body or body["defaultTtl"] is None:
        return
    ttl = body["defaultTtl"]
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not (ttl == -1 or ttl > 0):
        raise _invalid(f"The value of defaultTtl ({ttl!r}) must be -1 or a positive integer.")


def check_item_ttl(document: dict[str, Any]) -> None:
    """An item's `ttl` (on a container with TTL on) is -1 (never expire) or a positive number of seconds."""
    if "ttl" not in document:
        return
    ttl = document["ttl"]
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not (ttl == -1 or ttl > 0):
        raise _invalid(f"The value of ttl ({ttl!r}) must be -1 or a positive integer.")


def check_computed_properties(body: dict[str, Any], compiles: Callable[[str], bool]) -> None:
    """Refuse malformed `computedProperties`: not a list, bad names, or queries not `SELECT VALUE ... FROM c`.

    Args:
        body: The container body.
        compiles: Whether the query engine accepts a query text.
    """
    properties = body.get("computedProperties")
    if properties is None:
        return
    if not isinstance(properties, list) or len(properties) > MAX_COMPUTED_PROPERTIES:
        raise _invalid(f"computedProperties must be a list of at most {MAX_COMPUTED_PROPERTIES} entries.")
    names: set[str] = set()
    for entry in properties:
        if not isinstance(entry, dict) or set(entry) - {"name", "query"}:
            raise _invalid("Each computed property is an object with a 'name' and a 'query'.")
        name, query = entry.get("name"), entry.get("query")
        if not isinstance(name, str) or not name or name in _RESERVED_NAMES or name.startswith("_") or name in names:
            raise _invalid(f"The computed property name {name!r} is not allowed or is repeated.")
        names.add(name)
        if not isinstance(query, str) or not query.strip().upper().startswith("SELECT VALUE") or not compiles(query):
            raise _invalid(f"The computed property query {query!r} must be 'SELECT VALUE <expression> FROM c'.")
