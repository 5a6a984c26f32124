"""`/dbs/<db>/colls/<c>/pkranges`: one partition key range covering everything.

The SDK drains this feed until it gets a literal 304, so a request that already holds the current etag
must get 304, or the SDK loops forever.
"""

from __future__ import annotations

from local_emulators.cosmos.handlers.common import Context, empty, feed_response
from local_emulators.cosmos.wire import Response


def _etag(rid: str) -> str:
    # One range that never splits, so the feed's version only depends on the container.
    return f'"{rid}-pkranges-1"'


def read_ranges(ctx: Context) -> Response:
    """Serve the single key range, or 304 when the client already has it."""
    container = ctx.container()
    etag = _etag(container.rid)
    if ctx.header("if-none-match") == etag:
        return empty(304, {"etag": etag})
    pk_range = {
        "id": "0",
        "_rid": f"{container.rid}AgAAAAAAAAA=",
        "_self": f"{container.self_link}pkranges/{container.rid}AgAAAAAAAAA=/",
        "_etag": '"00000000-0000-0000-0000-000000000000"',
        "_ts": int(container.body.get("_ts", 0)),
        "_lsn": 1,
        "minInclusive": "",
        "maxExclusive": "FF",
        "ridPrefix": 0,
        "throughputFraction": 1,
        "status": "online",
        "parents": [],
    }
    return feed_response("PartitionKeyRanges", container.rid, [pk_range], {"etag": etag})
