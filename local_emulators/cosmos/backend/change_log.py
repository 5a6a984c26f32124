"""The all-versions-and-deletes (full-fidelity) change log: every create, replace and delete, in LSN order.

The LatestVersion feed can be served from the live documents; this mode cannot, because it reports each
intermediate version and every delete. So each committed write also appends one entry per changed item, in
the same SQLite transaction as the write (a crash never leaves a write without its entry, or the reverse).

Entries are stored already rendered in the wire format the SDK asks for with
`x-ms-cosmos-changefeed-wire-format-version: 2021-09-15`:
`{"current": {...}, "metadata": {"operationType", "lsn", "crts", "previousImageLSN", ...}}`. As on Azure,
a delete has an empty `current`, no `previous`, and names the item in `metadata.id` and
`metadata.partitionKey`; `timeToLiveExpired` tells a TTL expiry from an explicit delete.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from local_emulators.cosmos.backend import partition_keys
from local_emulators.cosmos.backend.models import Container, ItemRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS change_log (
    coll_rid TEXT NOT NULL, lsn INTEGER NOT NULL, pk TEXT NOT NULL, epk TEXT NOT NULL, entry TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS change_log_by_lsn ON change_log (coll_rid, lsn);
"""


@dataclass(frozen=True)
class ChangeEntry:
    """One logged change: where it lives (for feed-range and key scoping) and its rendered wire form."""

    lsn: int
    pk: str
    epk: str
    entry: str


def _key_object(container: Container, body: Mapping[str, Any]) -> dict[str, Any]:
    # Azure names the deleted item's key as {path: value}, every level of a hierarchical key included.
    definition = container.body.get("partitionKey") or {}
    values = partition_keys.extract(body, container.key_paths)
    pairs = zip(definition.get("paths", []), values, strict=False)
    # A document without its key property has an undefined key: it has no entry (JSON has no undefined).
    return {str(path).lstrip("/"): value for path, value in pairs if value is not partition_keys.UNDEFINED}


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _render_version(record: ItemRecord, metadata: Mapping[str, Any]) -> str:
    # The stored text is the body's JSON object already: splice `_lsn` in rather than encode the body again.
    current = f'{record.text[:-1]},"_lsn":{record.lsn}}}'
    return f'{{"current":{current},"metadata":{_dumps(metadata)}}}'


def _delete(container: Container, before: ItemRecord, lsn: int, now: float, ttl_expired: bool) -> ChangeEntry:
    metadata = {
        "operationType": "delete",
        "lsn": lsn,
        "crts": int(now),
        "previousImageLSN": before.lsn,
        "timeToLiveExpired": ttl_expired,
        "id": before.id,
        "partitionKey": _key_object(container, before.body),
    }
    return ChangeEntry(lsn, before.pk, before.epk, f'{{"current":{{}},"metadata":{_dumps(metadata)}}}')


def has_unnumbered(
    container: Container, staged: Mapping[tuple[str, str], ItemRecord | None], deleted_at: Mapping[tuple[str, str], int]
) -> bool:
    """Whether a commit stages a change without an LSN of its own, so the commit must take a new LSN for it.

    Such changes are deletes not made by `ContainerWrite.remove` and restored older versions (an undo).
    """
    return any(
        (record is None and key not in deleted_at) or (record is not None and record.lsn <= container.lsn)
        for key, record in staged.items()
    )


def entries_for(
    container: Container,
    staged: Mapping[tuple[str, str], ItemRecord | None],
    deleted_at: Mapping[tuple[str, str], int],
    now: float,
    *,
    ttl_expired: bool = False,
    fallback_lsn: int | None = None,
) -> list[ChangeEntry]:
    """The log entries of one commit, computed before it is applied (the committed versions are the old ones).

    Args:
        container: The container, still holding the versions before this commit.
        staged: The commit's final state per (partition key, id); None is a delete.
        deleted_at: The LSN each staged delete was given.
        now: The commit time (the `crts` of deletes).
        ttl_expired: The deletes are TTL expiries, not explicit deletes.
        fallback_lsn: The LSN of changes staged without one (see `has_unnumbered`).

    Returns:
        One entry per changed item, in LSN order.
    """
    entries: list[ChangeEntry] = []
    spare = fallback_lsn if fallback_lsn is not None else container.lsn + 1
    for (pk, item_id), record in staged.items():
        before = container.partitions.get(pk, {}).get(item_id)
        if record is None:
            if before is not None:
                lsn = deleted_at.get((pk, item_id), spare)
                entries.append(_delete(container, before, lsn, now, ttl_expired))
            continue
        # A restored older version (an undo) is logged as a new change at the commit's LSN.
        lsn = record.lsn if record.lsn > container.lsn else spare
        if before is not None and not container.is_live(before, now):
            # An expired version the sweeper had not purged yet: Azure would have logged its expiry first.
            entries.append(_delete(container, before, lsn, now, True))
            before = None
        metadata: dict[str, Any] = {
            "operationType": "create" if before is None else "replace",
            "lsn": lsn,
            "crts": record.ts,
        }
        if before is not None:
            metadata["previousImageLSN"] = before.lsn
        entries.append(ChangeEntry(lsn, pk, record.epk, _render_version(record, metadata)))
    entries.sort(key=lambda change: change.lsn)
    return entries
