"""`GET .../docs` with `A-IM: Incremental Feed`: the LatestVersion change feed.

The page's etag is the LSN to resume after; the SDK sends it back in If-None-Match. "Now" arrives as
`If-None-Match: *`, a start time as If-Modified-Since, and no header means from the beginning.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from local_emulators.cosmos.backend import partition_keys
from local_emulators.cosmos.backend.changefeed import ChangeFeedStart, read_changes
from local_emulators.cosmos.errors import BadRequestError
from local_emulators.cosmos.handlers.changefeed_full import FULL_FIDELITY, read_full_fidelity_feed
from local_emulators.cosmos.handlers.common import Context, container_headers, empty, feed_response
from local_emulators.cosmos.wire import Response


def is_change_feed(ctx: Context) -> bool:
    """Whether a GET on the docs feed asks for the change feed."""
    return bool(ctx.header("a-im"))


def _start(ctx: Context) -> ChangeFeedStart:
    if_none_match = ctx.header("if-none-match")
    if if_none_match == "*":
        return ChangeFeedStart(from_now=True)
    if if_none_match:
        try:
            return ChangeFeedStart(after_lsn=int(if_none_match.strip('"')))
        except ValueError as exc:
            raise BadRequestError(f"The change feed continuation '{if_none_match}' is invalid.") from exc
    since = ctx.header("if-modified-since")
    if since:
        try:
            return ChangeFeedStart(since_epoch=parsedate_to_datetime(since).timestamp())
        except (TypeError, ValueError) as exc:
            raise BadRequestError(f"If-Modified-Since '{since}' is not an RFC 1123 date.") from exc
    return ChangeFeedStart()


def read_change_feed(ctx: Context) -> Response:
    """Serve one change-feed page, or 304 when nothing changed since the given position."""
    mode = (ctx.header("a-im") or "").lower()
    if mode == FULL_FIDELITY:
        return read_full_fidelity_feed(ctx)
    if mode != "incremental feed":
        raise BadRequestError(
            f"Change feed mode '{ctx.header('a-im')}' is not supported; use LatestVersion or AllVersionsAndDeletes."
        )
    container = ctx.container()
    header = ctx.partition_key()
    pk = partition_keys.key_string(header) if header is not None else None
    key_range = ctx.key_range(container)
    records = ctx.state.records_in_scope(container, pk, ctx.epk_range(), key_range=key_range)
    page = read_changes(container, records, _start(ctx), ctx.max_item_count())
    headers = container_headers(container, f'"{page.resume_lsn}"', key_range.id if key_range else "0")
    if not page.records:
        return empty(304, headers)
    documents = [{**record.body, "_lsn": record.lsn} for record in page.records]
    return feed_response("Documents", container.rid, documents, headers)
