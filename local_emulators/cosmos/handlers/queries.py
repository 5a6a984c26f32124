"""`POST .../docs` with a SQL query: run on the server, paged by opaque continuation tokens."""

from __future__ import annotations

from local_emulators.cosmos.backend import partition_keys
from local_emulators.cosmos.errors import BadRequestError
from local_emulators.cosmos.handlers.common import (
    Context,
    container_headers,
    query_parameters,
    serialised_feed_response,
)
from local_emulators.cosmos.wire import Response


def is_query(ctx: Context) -> bool:
    """Whether a POST on the docs feed is a query."""
    content_type = (ctx.header("content-type") or "").lower()
    return ctx.flag("x-ms-documentdb-isquery") or content_type.startswith("application/query+json")


def query_plan(ctx: Context) -> Response:
    """The emulator never asks for query plans, so a plan request means a client it does not support."""
    raise BadRequestError("This emulator runs every query on the server; query plans are not served.")


def query_items(ctx: Context) -> Response:
    """Run a query and return one page."""
    container = ctx.container()
    body = ctx.body_object()
    text = body.get("query")
    if not isinstance(text, str) or not text.strip():
        raise BadRequestError("The query body must contain a non-empty 'query' string.")
    header = ctx.partition_key()
    pk = partition_keys.key_string(header) if header is not None else None
    epk_range = ctx.epk_range()
    scope = pk if pk is not None else (f"epk:{epk_range}" if epk_range else "*")
    page = ctx.state.queries.page(
        container,
        lambda: ctx.state.records_in_scope(container, pk, epk_range),
        text,
        query_parameters(body),
        scope,
        ctx.max_item_count(),
        ctx.header("x-ms-continuation") or None,
    )
    headers = container_headers(container)
    if page.continuation:
        headers["x-ms-continuation"] = page.continuation
    return serialised_feed_response("Documents", container.rid, page.rows, headers)
