"""Conflicts feed: `/dbs/<db>/colls/<c>/conflicts`. One write region never has conflicts, so it is empty.

Multi-region writes are not emulated; the feed still answers as a single-region account does (empty list,
404 for one conflict), which is what SDK code listing conflicts meets against Azure in one region.
"""

from __future__ import annotations

from local_emulators.cosmos.errors import BadRequestError, NotFoundError
from local_emulators.cosmos.handlers.common import Context, feed_response
from local_emulators.cosmos.wire import Response


def list_or_query(ctx: Context) -> Response:
    """List or query the (always empty) conflicts of a container."""
    container = ctx.container()
    if ctx.request.method == "POST":
        ctx.body_object()  # a query body must still be well formed
        if ctx.partition_key() is None and not ctx.flag("x-ms-documentdb-query-enablecrosspartition"):
            # Like any query, one over conflicts spans partitions only when the client says so.
            raise BadRequestError(
                "Cross partition query is required but disabled. Please set x-ms-documentdb-query-enablecrosspartition"
                " to true, specify x-ms-documentdb-partitionkey, or revise your query to avoid this exception."
            )
    return feed_response("Conflicts", container.rid, [])


def read_or_delete(ctx: Context) -> Response:
    """Read or delete one conflict: there are none."""
    ctx.container()
    raise NotFoundError("Entity with the specified id does not exist in the system.")
