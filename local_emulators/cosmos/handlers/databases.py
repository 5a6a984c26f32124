"""Databases: `/dbs` (list, create, query) and `/dbs/<db>` (read, delete)."""

from __future__ import annotations

from typing import Any

from local_emulators.cosmos.errors import BadRequestError
from local_emulators.cosmos.handlers.common import Context, empty, feed_response, query_parameters, resource_response
from local_emulators.cosmos.request_json import parse_json
from local_emulators.cosmos.wire import Response

MIN_MANUAL_THROUGHPUT = 400  # RU/s, the service's floor for manual throughput
MIN_AUTOSCALE_MAX = 1000  # RU/s, the smallest autoscale maximum


def throughput_request(ctx: Context) -> dict[str, Any] | None:
    """The throughput a create request asks for (`x-ms-offer-throughput` or autoscale), if any."""
    manual = ctx.header("x-ms-offer-throughput")
    autoscale = ctx.header("x-ms-cosmos-offer-autopilot-settings")
    if autoscale:
        settings = parse_json(autoscale, "x-ms-cosmos-offer-autopilot-settings")
        maximum = settings.get("maxThroughput") if isinstance(settings, dict) else None
        if isinstance(maximum, bool) or not isinstance(maximum, int):
            raise BadRequestError("x-ms-cosmos-offer-autopilot-settings needs an integer maxThroughput.")
        if maximum < MIN_AUTOSCALE_MAX:
            raise BadRequestError(
                f"Requested throughput {maximum} is less than required minimum throughput {MIN_AUTOSCALE_MAX}"
            )
        return {"offerAutopilotSettings": settings}
    if manual:
        try:
            throughput = int(manual)
        except ValueError as exc:
            raise BadRequestError("x-ms-offer-throughput must be an integer.") from exc
        if throughput < MIN_MANUAL_THROUGHPUT:
            raise BadRequestError(
                f"Requested throughput {throughput} is less than required minimum throughput {MIN_MANUAL_THROUGHPUT}"
            )
        return {"offerThroughput": throughput}
    return None


def list_or_query(ctx: Context) -> Response:
    """List databases, or run a query over them."""
    bodies = [database.body for database in ctx.state.catalog.databases.values()]
    if ctx.request.method == "POST":
        query = ctx.body_object()
        bodies = ctx.state.queries.run_all(str(query.get("query", "")), bodies, query_parameters(query))
    return feed_response("Databases", "", bodies)


def create(ctx: Context) -> Response:
    """Create a database."""
    database = ctx.state.catalog.create_database(ctx.body_object(), throughput_request(ctx))
    return resource_response(201, database.body)


def read(ctx: Context) -> Response:
    """Read a database."""
    return resource_response(200, ctx.state.catalog.database(ctx.segments[1]).body)


def delete(ctx: Context) -> Response:
    """Delete a database."""
    ctx.state.catalog.delete_database(ctx.segments[1])
    return empty(204)
