"""Containers: `/dbs/<db>/colls` (list, create, query) and `/dbs/<db>/colls/<c>` (read, replace, delete)."""

from __future__ import annotations

from typing import Any

from local_emulators.cosmos.backend import container_settings
from local_emulators.cosmos.backend.search_policies import check_search_policies, check_search_policy_changes
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


def _checked(ctx: Context) -> dict[str, Any]:
    """The container body, with the settings the service refuses refused (400)."""
    body = ctx.body_object()
    container_settings.check_default_ttl(body)
    container_settings.check_computed_properties(body, ctx.state.queries.compiles)
    check_search_policies(body)
    return body


def create(ctx: Context) -> Response:
    """Create a container."""
    container = ctx.state.catalog.create_container(ctx.segments[1], _checked(ctx), throughput_request(ctx))
    return resource_response(201, container.body, container_headers(container))


def read(ctx: Context) -> Response:
    """Read a container; with the quota or statistics flags, its usage as the service reports it."""
    container = ctx.state.catalog.container(ctx.segments[1], ctx.segments[3])
    headers = container_headers(container)
    body = container.body
    if ctx.flag("x-ms-documentdb-populatequotainfo") or ctx.flag("x-ms-documentdb-populatepartitionstatistics"):
        records = container.all_records()
        size_kb = sum(len(record.text) for record in records) // 1024
        headers["x-ms-resource-quota"] = (
            "documentSize=10240;documentsSize=10485760;documentsCount=-1;collectionSize=10485760;"
        )
        headers["x-ms-resource-usage"] = (
            f"documentSize={size_kb};documentsSize={size_kb};documentsCount={len(records)};collectionSize={size_kb};"
        )
        headers["x-ms-documentdb-collection-index-transformation-progress"] = "100"
        if ctx.flag("x-ms-documentdb-populatepartitionstatistics"):
            statistics = [{"id": "0", "sizeInKB": size_kb, "documentCount": len(records), "partitionKeys": []}]
            body = {**body, "statistics": statistics}
    return resource_response(200, body, headers)


def replace(ctx: Context) -> Response:
    """Replace a container's settings (its vector embeddings and vector indexes cannot change)."""
    body = _checked(ctx)
    check_search_policy_changes(ctx.state.catalog.container(ctx.segments[1], ctx.segments[3]).body, body)
    container = ctx.state.catalog.replace_container(ctx.segments[1], ctx.segments[3], body)
    return resource_response(200, container.body, container_headers(container))


def delete(ctx: Context) -> Response:
    """Delete a container."""
    ctx.state.catalog.delete_container(ctx.segments[1], ctx.segments[3])
    return empty(204)
