"""Throughput offers: `/offers` (list, query) and `/offers/<rid>` (read, replace)."""

from __future__ import annotations

from local_emulators.cosmos.handlers.common import Context, feed_response, query_parameters, resource_response
from local_emulators.cosmos.wire import Response


def list_or_query(ctx: Context) -> Response:
    """List offers, or run a query over them (how `get_throughput` finds one)."""
    bodies = [offer.body for offer in ctx.state.catalog.offers.values()]
    if ctx.request.method == "POST":
        query = ctx.body_object()
        bodies = ctx.state.queries.run_all(str(query.get("query", "")), bodies, query_parameters(query))
    return feed_response("Offers", "", bodies)


def read(ctx: Context) -> Response:
    """Read an offer."""
    return resource_response(200, ctx.state.catalog.offer(ctx.segments[1]).body)


def replace(ctx: Context) -> Response:
    """Replace an offer (how `replace_throughput` works)."""
    return resource_response(200, ctx.state.catalog.replace_offer(ctx.segments[1], ctx.body_object()).body)
