"""Users, permissions and resource tokens, as Azure's access control for clients without the master key.

A permission grants `Read` or `All` on one resource link (a container, or one item) and optionally one
partition key; reading or creating it issues a resource token (`type=resource&ver=1.0&sig=…`) valid for
`x-ms-documentdb-expiry-seconds` (default one hour). Every request signed with such a token is checked here:
the link must lie within the permission's resource, `Read` allows only reads and queries, and a partition-key
restriction needs the request to name that key.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from local_emulators.cosmos.backend import partition_keys
from local_emulators.cosmos.backend.models import Database, new_etag, new_rid
from local_emulators.cosmos.errors import (
    BadRequestError,
    ConflictError,
    CosmosEmulatorError,
    NotFoundError,
    UnauthorizedError,
)
from local_emulators.cosmos.wire import Request

DEFAULT_TOKEN_SECONDS = 3600
MAX_TOKEN_SECONDS = 5 * 3600
_MODES = {"read": "Read", "all": "All"}


class ForbiddenError(CosmosEmulatorError):
    """A resource token does not grant this request (Azure's 403)."""

    status = 403
    code = "Forbidden"


@dataclass(frozen=True)
class Grant:
    """What one issued resource token allows, and until when."""

    db_rid: str
    user: str
    permission: str
    resource: str
    mode: str
    partition_key: str | None
    expires: float


def is_resource_token(headers: dict[str, str]) -> bool:
    """Whether the request is signed with a resource token rather than the master key."""
    return "type=resource" in unquote(headers.get("authorization") or "")


def _stamp(resource: dict[str, Any], parent_self: str, family: str, rid: str) -> dict[str, Any]:
    resource.update(_rid=rid, _self=f"{parent_self}{family}/{rid}/", _etag=new_etag(), _ts=int(time.time()))
    return resource


class AccessCatalog:
    """Users and permissions per database rid, and the resource tokens issued for them."""

    def __init__(self) -> None:
        self._users: dict[str, dict[str, dict[str, Any]]] = {}
        self._permissions: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        self._tokens: dict[str, Grant] = {}

    def clear(self) -> None:
        """Forget every user, permission and token (the emulator's reset)."""
        self._users.clear()
        self._permissions.clear()
        self._tokens.clear()

    # Users -----------------------------------------------------------------------------------------------
    def users(self, database: Database) -> dict[str, dict[str, Any]]:
        """The users of a database by id."""
        return self._users.setdefault(database.rid, {})

    def user(self, database: Database, user_id: str) -> dict[str, Any]:
        """One user, or 404."""
        found = self.users(database).get(user_id)
        if found is None:
            raise NotFoundError(f"User '{user_id}' does not exist.")
        return found

    def put_user(self, database: Database, body: dict[str, Any], replace_id: str | None = None) -> dict[str, Any]:
        """Create (409 when taken) or rename/replace a user."""
        user_id = body.get("id")
        if not isinstance(user_id, str) or not user_id or "/" in user_id:
            raise BadRequestError("A user id must be a non-empty string without '/'.")
        users = self.users(database)
        if replace_id is None:
            if user_id in users:
                raise ConflictError(f"User '{user_id}' already exists.")
            rid = new_rid(database.rid, 4)
        else:
            rid = self.user(database, replace_id)["_rid"]
            del users[replace_id]
            self._permissions[(database.rid, user_id)] = self._permissions.pop((database.rid, replace_id), {})
        user = _stamp({"id": user_id, "_permissions": "permissions/"}, f"dbs/{database.rid}/", "users", rid)
        users[user_id] = user
        return user

    def delete_user(self, database: Database, user_id: str) -> None:
        """Delete a user with its permissions; their tokens stop working."""
        self.user(database, user_id)
        del self.users(database)[user_id]
        self._permissions.pop((database.rid, user_id), None)

    # Permissions -----------------------------------------------------------------------------------------
    def permissions(self, database: Database, user_id: str) -> dict[str, dict[str, Any]]:
        """The permissions of a user by id (404 when the user does not exist)."""
        self.user(database, user_id)
        return self._permissions.setdefault((database.rid, user_id), {})

    def permission(self, database: Database, user_id: str, permission_id: str) -> dict[str, Any]:
        """One permission, or 404."""
        found = self.permissions(database, user_id).get(permission_id)
        if found is None:
            raise NotFoundError(f"Permission '{permission_id}' does not exist.")
        return found

    def put_permission(
        self, database: Database, user_id: str, body: dict[str, Any], replace_id: str | None = None
    ) -> dict[str, Any]:
        """Create (409 when taken) or replace a permission."""
        permission_id, mode, resource = body.get("id"), body.get("permissionMode"), body.get("resource")
        if not isinstance(permission_id, str) or not permission_id or "/" in permission_id:
            raise BadRequestError("A permission id must be a non-empty string without '/'.")
        if not isinstance(mode, str) or mode.lower() not in _MODES:
            raise BadRequestError("permissionMode must be 'Read' or 'All'.")
        if not isinstance(resource, str) or not resource.strip("/").startswith("dbs/"):
            raise BadRequestError("A permission's resource must be a link such as 'dbs/<db>/colls/<container>'.")
        permissions = self.permissions(database, user_id)
        if replace_id is None:
            if permission_id in permissions:
                raise ConflictError(f"Permission '{permission_id}' already exists.")
            rid = new_rid(database.rid, 8)
        else:
            rid = self.permission(database, user_id, replace_id)["_rid"]
            del permissions[replace_id]
        permission: dict[str, Any] = {"id": permission_id, "permissionMode": _MODES[mode.lower()], "resource": resource}
        if body.get("resourcePartitionKey") is not None:
            permission["resourcePartitionKey"] = body["resourcePartitionKey"]
        user_self = self.user(database, user_id)["_self"]
        permissions[permission_id] = _stamp(permission, user_self, "permissions", rid)
        return permission

    def delete_permission(self, database: Database, user_id: str, permission_id: str) -> None:
        """Delete a permission; its tokens stop working."""
        self.permission(database, user_id, permission_id)
        del self.permissions(database, user_id)[permission_id]

    def with_token(
        self,
        database: Database,
        user_id: str,
        permission: dict[str, Any],
        seconds: int | None,
        resource_link: str | None = None,
    ) -> dict[str, Any]:
        """The permission as returned to a client: with a freshly issued `_token`.

        `resource_link` is the permission's resource as an id-based link, when its `resource` is rid-based
        (an item's `_self`): requests are checked by id-based links.
        """
        lifetime = DEFAULT_TOKEN_SECONDS if seconds is None else seconds
        if not 10 <= lifetime <= MAX_TOKEN_SECONDS:
            raise BadRequestError(f"x-ms-documentdb-expiry-seconds must be between 10 and {MAX_TOKEN_SECONDS}.")
        key = permission.get("resourcePartitionKey")
        pk = partition_keys.key_string(partition_keys.parse_header(_json(key))) if key is not None else None
        sig = secrets.token_urlsafe(32)
        self._tokens[sig] = Grant(
            database.rid,
            user_id,
            permission["id"],
            (resource_link or permission["resource"]).strip("/"),
            permission["permissionMode"],
            pk,
            time.time() + lifetime,
        )
        return {**permission, "_token": f"type=resource&ver=1.0&sig={sig}"}

    # Checking --------------------------------------------------------------------------------------------
    def grant_for(self, headers: dict[str, str]) -> Grant:
        """The live grant a resource-token request carries, or 401."""
        fields = dict(
            part.split("=", 1) for part in unquote(headers.get("authorization") or "").split("&") if "=" in part
        )
        grant = self._tokens.get(fields.get("sig", ""))
        if grant is None:
            raise UnauthorizedError("The resource token is not valid (unknown, or its permission was deleted).")
        if grant.expires < time.time():
            raise UnauthorizedError("The resource token has expired.")
        users = self._users.get(grant.db_rid, {})
        if grant.user not in users or grant.permission not in self._permissions.get((grant.db_rid, grant.user), {}):
            raise UnauthorizedError("The resource token's permission no longer exists.")
        return grant


def _json(value: Any) -> str:
    return json.dumps(value if isinstance(value, list) else [value])


def _is_read(request: Request) -> bool:
    if request.method in ("GET", "HEAD"):
        return True
    headers = request.headers
    return request.method == "POST" and (
        (headers.get("x-ms-documentdb-isquery") or "").lower() == "true"
        or (headers.get("content-type") or "").lower().startswith("application/query+json")
        or (headers.get("x-ms-cosmos-is-query-plan-request") or "").lower() == "true"
    )


def check_request(grant: Grant, request: Request, segments: list[str]) -> None:
    """403 unless `grant` covers this request (segments are id-based: `dbs/<db>/colls/<c>/...`)."""
    link = "/".join(segments)
    if not link:
        return  # the account read, which any valid token may do (the SDK's first call)
    if not (link == grant.resource or link.startswith(grant.resource + "/") or _item_feed_of(grant, link)):
        raise ForbiddenError(f"The resource token grants '{grant.resource}', not '{link}'.")
    if grant.mode == "Read" and not _is_read(request):
        raise ForbiddenError("The resource token grants Read only.")
    if grant.partition_key is not None and len(segments) >= 5 and segments[4] in ("docs", "sprocs"):
        raw = request.headers.get("x-ms-documentdb-partitionkey")
        given = partition_keys.key_string(partition_keys.parse_header(raw)) if raw else None
        if given != grant.partition_key:
            raise ForbiddenError("The resource token grants one partition key only; name it in the request.")


def _item_feed_of(grant: Grant, link: str) -> bool:
    """A token for one item also reaches its container's metadata, as the SDK reads it before the item."""
    parts = grant.resource.split("/")
    if len(parts) != 6 or parts[4] != "docs":
        return False
    container, (parent, _, leaf) = "/".join(parts[:4]), link.rpartition("/")
    # The container itself and its partition key ranges; never the item feed (reading every item is refused).
    return link == container or (parent == container and leaf == "pkranges")
