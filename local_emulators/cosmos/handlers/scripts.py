"""Stored procedures, triggers and UDFs: their CRUD feeds and stored-procedure execution."""

from __future__ import annotations

from local_emulators.cosmos.backend.documents import ContainerWrite
from local_emulators.cosmos.errors import BadRequestError
from local_emulators.cosmos.handlers.common import (
    Context,
    empty,
    feed_response,
    partition_headers,
    query_parameters,
    resource_response,
)
from local_emulators.cosmos.handlers.queries import is_query
from local_emulators.cosmos.scripting.runtime import Partition, run_script
from local_emulators.cosmos.wire import Response, json_response

_FEED_KEYS = {"sprocs": "StoredProcedures", "triggers": "Triggers", "udfs": "UserDefinedFunctions"}


def _family(ctx: Context) -> str:
    return ctx.segments[4]


def list_or_create(ctx: Context) -> Response:
    """`GET`/`POST .../sprocs` (or triggers, udfs): list, query or create."""
    container, family = ctx.container(), _family(ctx)
    if ctx.request.method == "POST" and not is_query(ctx):
        return resource_response(201, ctx.state.scripts.put(container, family, ctx.body_object()))
    resources = ctx.state.scripts.list(container, family)
    if ctx.request.method == "POST":
        body = ctx.body_object()
        text = body.get("query")
        if not isinstance(text, str):
            raise BadRequestError("The query body must contain a 'query' string.")
        resources = ctx.state.queries.run_all(text, resources, query_parameters(body))
    return feed_response(_FEED_KEYS[family], container.rid, resources)


def read_replace_delete(ctx: Context) -> Response:
    """`GET`/`PUT`/`DELETE .../sprocs/<id>` (or triggers, udfs)."""
    container, family, resource_id = ctx.container(), _family(ctx), ctx.segments[5]
    if ctx.request.method == "GET":
        return resource_response(200, ctx.state.scripts.get(container, family, resource_id))
    if ctx.request.method == "PUT":
        return resource_response(
            200, ctx.state.scripts.put(container, family, ctx.body_object(), replace_id=resource_id)
        )
    ctx.state.scripts.delete(container, family, resource_id)
    return empty(204)


def execute(ctx: Context) -> Response:
    """`POST .../sprocs/<id>`: run the procedure in the request's partition; commit only if it succeeds."""
    container = ctx.container()
    sproc = ctx.state.scripts.get(container, "sprocs", ctx.segments[5])
    arguments = ctx.body()
    if arguments is None:
        arguments = []
    elif not isinstance(arguments, list):
        arguments = [arguments]
    header = ctx.partition_key()
    if header is None:
        raise BadRequestError("Executing a stored procedure needs the x-ms-documentdb-partitionkey header.")
    write = ContainerWrite(container)
    pk, components = write.key_for(header, None)
    partition = Partition(write, pk, components, ctx.state.queries)
    outcome = run_script(partition, str(sproc["body"]), arguments, self_link=container.self_link)
    ctx.state.documents.commit(write)
    headers = partition_headers(ctx, container)
    headers["x-ms-script-log-results"] = ""
    return json_response(200, outcome.response, headers)
