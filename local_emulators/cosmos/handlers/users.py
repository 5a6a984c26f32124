"""Users and permissions of a database (`dbs/<db>/users[/<u>[/permissions[/<p>]]]`)."""

from __future__ import annotations

from local_emulators.cosmos.errors import BadRequestError
from local_emulators.cosmos.handlers.common import Context, empty, feed_response, query_parameters, resource_response
from local_emulators.cosmos.handlers.queries import is_query
from local_emulators.cosmos.wire import Response


def _expiry(ctx: Context) -> int | None:
    raw = ctx.header("x-ms-documentdb-expiry-seconds")
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise BadRequestError(f"x-ms-documentdb-expiry-seconds '{raw}' is not an integer.") from exc


def _id_link(ctx: Context, resource: object) -> str | None:
    """The id-based link of a permission's rid-based resource (an item's `_self`), or None to keep it as given.

    Clients name an item permission's resource by the item's `_self` (`dbs/<rid>/colls/<rid>/docs/<rid>`), while
    requests reach the item by ids; the token is checked against the id-based link.
    """
    if not isinstance(resource, str):
        return None
    link = ctx.state.catalog.by_name(resource.strip("/").split("/"))
    if len(link) < 4 or link[0] != "dbs" or link[2] != "colls":
        return None
    database = ctx.state.catalog.databases.get(link[1])
    container = database.containers.get(link[3]) if database is not None else None
    if container is None:
        return None
    if len(link) == 6 and link[4] == "docs":
        for record in container.all_records():
            if record.id == link[5]:
                break
            if record.body.get("_rid") == link[5]:
                link[5] = record.id
                break
    return "/".join(link)


def _filtered(ctx: Context, resources: list[dict[str, object]]) -> list[dict[str, object]]:
    if ctx.request.method == "POST":
        body = ctx.body_object()
        text = body.get("query")
        if not isinstance(text, str):
            raise BadRequestError("The query body must contain a 'query' string.")
        return list(ctx.state.queries.run_all(text, resources, query_parameters(body)))
    return resources


def users_feed(ctx: Context) -> Response:
    """List, query or create users."""
    database = ctx.state.catalog.database(ctx.segments[1])
    if ctx.request.method == "POST" and not is_query(ctx):
        return resource_response(201, ctx.state.access.put_user(database, ctx.body_object()))
    users = list(ctx.state.access.users(database).values())
    return feed_response("Users", database.rid, _filtered(ctx, users))


def user(ctx: Context) -> Response:
    """Read, replace or delete one user."""
    database, user_id = ctx.state.catalog.database(ctx.segments[1]), ctx.segments[3]
    if ctx.request.method == "GET":
        return resource_response(200, ctx.state.access.user(database, user_id))
    if ctx.request.method == "PUT":
        return resource_response(200, ctx.state.access.put_user(database, ctx.body_object(), replace_id=user_id))
    ctx.state.access.delete_user(database, user_id)
    return empty(204)


def permissions_feed(ctx: Context) -> Response:
    """List, query or create a user's permissions (each with a fresh resource token)."""
    access, database, user_id = ctx.state.access, ctx.state.catalog.database(ctx.segments[1]), ctx.segments[3]
    if ctx.request.method == "POST" and not is_query(ctx):
        created = access.put_permission(database, user_id, ctx.body_object())
        link = _id_link(ctx, created.get("resource"))
        return resource_response(201, access.with_token(database, user_id, created, _expiry(ctx), link))
    permissions = [
        access.with_token(database, user_id, permission, _expiry(ctx), _id_link(ctx, permission.get("resource")))
        for permission in access.permissions(database, user_id).values()
    ]
    return feed_response("Permissions", access.user(database, user_id)["_rid"], _filtered(ctx, permissions))


def permission(ctx: Context) -> Response:
    """Read (with a fresh token), replace or delete one permission."""
    access, database = ctx.state.access, ctx.state.catalog.database(ctx.segments[1])
    user_id, permission_id = ctx.segments[3], ctx.segments[5]
    if ctx.request.method == "GET":
        found = access.permission(database, user_id, permission_id)
        link = _id_link(ctx, found.get("resource"))
        return resource_response(200, access.with_token(database, user_id, found, _expiry(ctx), link))
    if ctx.request.method == "PUT":
        replaced = access.put_permission(database, user_id, ctx.body_object(), replace_id=permission_id)
        link = _id_link(ctx, replaced.get("resource"))
        return resource_response(200, access.with_token(database, user_id, replaced, _expiry(ctx), link))
    access.delete_permission(database, user_id, permission_id)
    return empty(204)
