"""`/dbs/<db>/colls/<c>/pkranges`: the container's physical partitions (partition key ranges).

The SDK drains this feed until it gets a literal 304, so a request that already holds the current etag
must get 304, or the SDK loops forever.
"""

from __future__ import annotations

from local_emulators.cosmos.handlers.common import Context, empty, feed_response
from local_emulators.cosmos.wire import Response


def read_ranges(ctx: Context) -> Response:
    """Serve the container's key ranges, or 304 when the client already has this layout."""
    container = ctx.container()
    layout = ctx.state.layout
    etag = layout.etag(container)
    if ctx.header("if-none-match") == etag:
        return empty(304, {"etag": etag})
    return feed_response("PartitionKeyRanges", container.rid, layout.describe(container), {"etag": etag})
