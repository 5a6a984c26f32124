"""Stored procedures, triggers and UDFs of each container: kept in memory, keyed by the container's rid.

Keying by rid means a container deleted and recreated under the same name starts with no scripts, as in Azure.
"""

from __future__ import annotations

import time
from typing import Any

from local_emulators.cosmos.backend.models import Container, new_etag, new_rid
from local_emulators.cosmos.errors import BadRequestError, ConflictError, NotFoundError

FAMILIES = {"sprocs": "Stored procedure", "triggers": "Trigger", "udfs": "User-defined function"}
_TRIGGER_TYPES = {"pre": "Pre", "post": "Post"}
_TRIGGER_OPERATIONS = {"all": "All", "create": "Create", "replace": "Replace", "delete": "Delete", "upsert": "Upsert"}


def _normalise(family: str, body: dict[str, Any]) -> dict[str, Any]:
    resource_id = body.get("id")
    if not isinstance(resource_id, str) or not resource_id or "/" in resource_id:
        raise BadRequestError(f"{FAMILIES[family]} id must be a non-empty string without '/'.")
    source = body.get("body")
    if not isinstance(source, str) or not source.strip():
        raise BadRequestError(f"{FAMILIES[family]} '{resource_id}' needs a JavaScript 'body'.")
    resource = {"id": resource_id, "body": source}
    if family == "triggers":
        kind = _TRIGGER_TYPES.get(str(body.get("triggerType", "")).lower())
        operation = _TRIGGER_OPERATIONS.get(str(body.get("triggerOperation", "")).lower())
        if kind is None or operation is None:
            raise BadRequestError(
                "A trigger needs triggerType Pre|Post and triggerOperation All|Create|Replace|Delete."
            )
        resource.update(triggerType=kind, triggerOperation=operation)
    return resource


class ScriptCatalog:
    """Script resources per container rid and family (`sprocs`, `triggers`, `udfs`)."""

    def __init__(self) -> None:
        self._by_container: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}

    def clear(self) -> None:
        """Forget every script (the emulator's reset)."""
        self._by_container.clear()

    def _family(self, container: Container, family: str) -> dict[str, dict[str, Any]]:
        return self._by_container.setdefault(container.rid, {}).setdefault(family, {})

    def list(self, container: Container, family: str) -> list[dict[str, Any]]:
        """Every resource of a family, oldest first."""
        return list(self._family(container, family).values())

    def get(self, container: Container, family: str, resource_id: str) -> dict[str, Any]:
        """One resource, or 404."""
        found = self._family(container, family).get(resource_id)
        if found is None:
            raise NotFoundError(f"{FAMILIES[family]} '{resource_id}' does not exist.")
        return found

    def put(
        self, container: Container, family: str, body: dict[str, Any], *, replace_id: str | None = None
    ) -> dict[str, Any]:
        """Create (409 if taken) or, with `replace_id`, replace (404 if missing) one resource."""
        resource = _normalise(family, body)
        scripts = self._family(container, family)
        if replace_id is None:
            if resource["id"] in scripts:
                raise ConflictError(f"{FAMILIES[family]} '{resource['id']}' already exists.")
            rid = new_rid(container.rid, 8)
        else:
            previous = self.get(container, family, replace_id)
            if resource["id"] != replace_id:
                raise BadRequestError("The id in the body must match the id in the link.")
            rid = previous["_rid"]
        resource.update(_rid=rid, _self=f"{container.self_link}{family}/{rid}/", _etag=new_etag(), _ts=int(time.time()))
        scripts[resource["id"]] = resource
        return resource

    def delete(self, container: Container, family: str, resource_id: str) -> None:
        """Remove one resource, or 404."""
        self.get(container, family, resource_id)
        del self._family(container, family)[resource_id]

    def udf_sources(self, container: Container) -> dict[str, str]:
        """Each UDF's JavaScript by id."""
        return {name: str(resource["body"]) for name, resource in self._family(container, "udfs").items()}
