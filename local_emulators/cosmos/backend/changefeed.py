"""The LatestVersion change feed: the newest version of each changed document, in LSN order."""

from __future__ import annotations

from dataclasses import dataclass

from local_emulators.cosmos.backend.models import Container, ItemRecord

DEFAULT_PAGE_SIZE = 100


@dataclass(frozen=True)
class ChangeFeedStart:
    """Where a change feed read starts: after an LSN, from a time, from now, or from the beginning."""

    after_lsn: int | None = None
    since_epoch: float | None = None
    from_now: bool = False


@dataclass(frozen=True)
class ChangePage:
    """Changed records and the LSN to resume after (the page's etag)."""

    records: list[ItemRecord]
    resume_lsn: int


def read_changes(
    container: Container,
    records: list[ItemRecord],
    start: ChangeFeedStart,
    max_items: int | None,
) -> ChangePage:
    """Select one page of changes.

    Args:
        container: The container (its LSN is the position when nothing changed).
        records: The live records in scope (partition key or EPK range already applied).
        start: The start position from the request headers.
        max_items: Page size; None or -1 for the default.

    Returns:
        The page; an empty `records` means "not modified" (HTTP 304).
    """
    if start.from_now:
        return ChangePage(records=[], resume_lsn=container.lsn)
    after = start.after_lsn if start.after_lsn is not None else 0
    changed = [record for record in records if record.lsn > after]
    if start.since_epoch is not None:
        changed = [record for record in changed if record.ts >= int(start.since_epoch)]
    changed.sort(key=lambda record: record.lsn)
    limit = DEFAULT_PAGE_SIZE if max_items is None or max_items <= 0 else max_items
    page = changed[:limit]
    if not page:
        return ChangePage(records=[], resume_lsn=max(after, 0) if start.after_lsn is not None else container.lsn)
    return ChangePage(records=page, resume_lsn=page[-1].lsn)
