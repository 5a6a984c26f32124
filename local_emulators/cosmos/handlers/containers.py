"""Containers: `/dbs/<db>/colls` (list, create, query) and `/dbs/<db>/colls/<c>` (read, replace, delete)."""

from __future__ import annotations

from local_emulators.cosmos.handlers.common import (
    Context,
    container_headers,
    empty,
    feed_response,
    query_parameters,
    resource_response,
)
from local_emulators.cosmos.handlers.databases import throughput_request
from local_emulators.cosmos.wire import Response


def list_or_query(ctx: Context) -> Response:
    """List the database's containers, or run a query over them."""
    database = ctx.state.catalog.database(ctx.segments[1])
    bodies = [container.body for container in database.containers.values()]
    if ctx.request.method == "POST":
        query = ctx.body_object()
        bodies = ctx.state.queries.run_all(str(query.get("query", "")), bodies, query_parameters(query))
    return feed_response("DocumentCollections", database.rid, bodies)


def create(ctx: Context) -> Response:
    """Create a container."""
    container = ctx.state.catalog.create_container(ctx.segments[1], ctx.body_object(), throughput_request(ctx))
    return resource_response(201, container.body, container_headers(container))


def read(ctx: Context) -> Response:
    """Read a container."""
    container = ctx.state.catalog.container(ctx.segments[1], ctx.segments[3])
    return resource_response(200, container.body, container_headers(container))


def replace(ctx: Context) -> Response:
    """Replace a container's settings."""
    container = ctx.state.catalog.replace_container(ctx.segments[1], ctx.segments[3], ctx.body_object())
    return resource_response(200, container.body, container_headers(container))


def delete(ctx: Context) -> Response:
    """Delete a container."""
    ctx.state.catalog.delete_container(ctx.segments[1], ctx.segments[3])
    return empty(204)
