"""`GET .../docs` with `A-IM: Full-Fidelity Feed`: the all-versions-and-deletes change feed.

The SDK asks for it with `query_items_change_feed(mode="AllVersionsAndDeletes")`, which sends the wire format
`x-ms-cosmos-changefeed-wire-format-version: 2021-09-15` and starts either from now (`If-None-Match: *`) or
from a continuation (the etag of an earlier page: the LSN to resume after). As with the LatestVersion feed,
a page is scoped by the partition key header, the physical partition and the feed range's EPK bounds, and
an empty page is a 304. Changes that share one LSN (a transactional batch) never straddle two pages.
"""

from __future__ import annotations

import time

from local_emulators.cosmos.backend import partition_keys
from local_emulators.cosmos.backend.change_log import ChangeEntry
from local_emulators.cosmos.backend.changefeed import DEFAULT_PAGE_SIZE
from local_emulators.cosmos.backend.models import Container
from local_emulators.cosmos.errors import BadRequestError
from local_emulators.cosmos.handlers.common import Context, container_headers, empty, serialised_feed_response
from local_emulators.cosmos.wire import Response

FULL_FIDELITY = "full-fidelity feed"
WIRE_FORMAT = "2021-09-15"


def _after_lsn(ctx: Context, container: Container) -> int:
    if ctx.header("if-modified-since"):
        # The SDK refuses a start time in this mode before sending; a hand-made request gets Azure's 400.
        raise BadRequestError("A start time is not supported by the AllVersionsAndDeletes change feed mode.")
    if_none_match = ctx.header("if-none-match")
    if if_none_match == "*":
        return container.lsn
    if not if_none_match:
        # From the beginning of the retained log (the SDK itself only starts from now or a continuation).
        return 0
    try:
        return int(if_none_match.strip('"'))
    except ValueError as exc:
        raise BadRequestError(f"The change feed continuation '{if_none_match}' is invalid.") from exc


def _page(entries: list[ChangeEntry], limit: int) -> list[ChangeEntry]:
    if len(entries) <= limit:
        return entries
    last = entries[limit - 1].lsn
    end = limit
    while end < len(entries) and entries[end].lsn == last:
        end += 1
    return entries[:end]


def read_full_fidelity_feed(ctx: Context) -> Response:
    """Serve one all-versions-and-deletes page, or 304 when nothing changed after the position."""
    version = ctx.header("x-ms-cosmos-changefeed-wire-format-version")
    if version and version != WIRE_FORMAT:
        raise BadRequestError(f"Change feed wire format version '{version}' is not supported; use {WIRE_FORMAT}.")
    container = ctx.container()
    if container.default_ttl is not None:
        # Expiries are deletes in this feed: log the ones the sweeper has not reached yet before reading.
        ctx.state.documents.purge_expired(container, time.time())
    after = _after_lsn(ctx, container)
    header = ctx.partition_key()
    pk = partition_keys.key_string(header) if header is not None else None
    key_range = ctx.key_range(container)
    epk_range = ctx.epk_range()
    entries = [
        entry
        for entry in ctx.state.store.changes_after(container.rid, after, pk)
        if (key_range is None or key_range.contains(entry.epk))
        and (epk_range is None or (epk_range[0] <= entry.epk and (not epk_range[1] or entry.epk < epk_range[1])))
    ]
    requested = ctx.max_item_count()
    page = _page(entries, DEFAULT_PAGE_SIZE if requested is None or requested <= 0 else requested)
    resume = page[-1].lsn if page else (container.lsn if ctx.header("if-none-match") == "*" else after)
    headers = container_headers(container, f'"{resume}"', key_range.id if key_range else "0")
    if not page:
        return empty(304, headers)
    return serialised_feed_response("Documents", container.rid, [entry.entry for entry in page], headers)
