"""`POST .../docs` with a SQL query (or the SDK's plan request): parsed here, run by `cross_partition`."""

from __future__ import annotations

import time
from typing import Any

from local_emulators.cosmos.backend import partition_keys
from local_emulators.cosmos.backend.epk import effective_partition_key
from local_emulators.cosmos.errors import BadRequestError
from local_emulators.cosmos.handlers import cross_partition
from local_emulators.cosmos.handlers.common import (
    Context,
    container_headers,
    partition_headers,
    query_parameters,
    serialised_feed_response,
)
from local_emulators.cosmos.handlers.query_metrics import metrics_headers
from local_emulators.cosmos.query.udf_calls import UDF_PARAMETER
from local_emulators.cosmos.wire import Response


def is_query(ctx: Context) -> bool:
    """Whether a POST on the docs feed is a query."""
    content_type = (ctx.header("content-type") or "").lower()
    return ctx.flag("x-ms-documentdb-isquery") or content_type.startswith("application/query+json")


def _query_text(ctx: Context) -> tuple[str, dict[str, Any]]:
    body = ctx.body_object()
    text = body.get("query")
    if not isinstance(text, str) or not text.strip():
        raise BadRequestError("The query body must contain a non-empty 'query' string.")
    parameters = query_parameters(body)
    if "udf." in text.lower():
        parameters[UDF_PARAMETER] = ctx.state.scripts.udf_sources(ctx.container())
    return text, parameters


def query_plan(ctx: Context) -> Response:
    """Answer the SDK's plan request with Azure's plan for the query (see `cross_partition`)."""
    container = ctx.container()
    text, parameters = _query_text(ctx)
    return cross_partition.plan_response(ctx, container, text, parameters)


def query_items(ctx: Context) -> Response:
    """Run a query and return one page: within one partition, or fanned out as the gateway does."""
    started = time.perf_counter()
    container = ctx.container()
    text, parameters = _query_text(ctx)
    header = ctx.partition_key()
    key_range = ctx.key_range(container)
    epk_range = ctx.epk_range()
    if header is not None and container.multi_hash and 0 < len(header) < len(container.key_paths):
        # A prefix of a hierarchical key (the JavaScript SDK sends it as the key header) names every
        # logical partition under it: the EPK range its hash starts.
        prefix = effective_partition_key(header, multi_hash=True)
        header, epk_range = None, (prefix, prefix + "G")
    if header is None and key_range is None and epk_range is None:
        cross_partition.refuse_unless_streamable(ctx, container, text, parameters)
        rows, headers = cross_partition.fan_out(ctx, container, text, parameters)
        headers.update(metrics_headers(ctx, rows, (time.perf_counter() - started) * 1000))
        return serialised_feed_response("Documents", container.rid, rows, headers)
    pk = partition_keys.key_string(header) if header is not None else None
    where = f"range:{key_range.min_inclusive}:{key_range.max_exclusive}" if key_range is not None else "*"
    scope = pk if pk is not None else f"{where}:epk:{epk_range}"
    rows, token = cross_partition.scoped_page(
        ctx,
        container,
        lambda: ctx.state.records_in_scope(container, pk, epk_range, key_range=key_range),
        text,
        parameters,
        scope,
        ctx.header("x-ms-continuation") or None,
        ctx.max_item_count(),
    )
    if key_range is not None:
        headers = container_headers(container, range_id=key_range.id)
    else:
        headers = partition_headers(ctx, container)
    if token is not None:
        headers["x-ms-continuation"] = token.encode()
    headers.update(metrics_headers(ctx, rows, (time.perf_counter() - started) * 1000))
    return serialised_feed_response("Documents", container.rid, rows, headers)
