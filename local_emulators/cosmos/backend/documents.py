"""Item writes staged per container and committed atomically: create, upsert, replace, delete, patch.

A `ContainerWrite` collects changes to one container; `Documents.commit` writes them to SQLite in one
transaction and only then applies them in memory, so a failed or partial batch changes nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from local_emulators.cosmos.backend import change_log, partition_keys
from local_emulators.cosmos.backend.container_settings import check_item_ttl
from local_emulators.cosmos.backend.epk import effective_partition_key
from local_emulators.cosmos.backend.epk_v1 import effective_partition_key_v1
from local_emulators.cosmos.backend.models import Container, ItemRecord, new_etag, new_rid
from local_emulators.cosmos.backend.partition_keys import PartitionKeyValue
from local_emulators.cosmos.backend.store import SqliteStore
from local_emulators.cosmos.errors import (
    BadRequestError,
    ConflictError,
    EntityTooLargeError,
    NotFoundError,
    PartitionKeyMismatchError,
    PreconditionFailedError,
)
from local_emulators.cosmos.patch import apply_patch

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
MAX_ID_LENGTH = 1023  # items (databases and containers: 255), per the service's limits and its error text
SYSTEM_PROPERTIES = ("_rid", "_self", "_etag", "_attachments", "_ts")
_STRIPPED = {*SYSTEM_PROPERTIES, "_lsn"}
_EPK_CACHE: dict[tuple[str, bool, bool], str] = {}


def validate_id(item_id: Any) -> str:
    """Check a document id the way Cosmos does."""
    if not isinstance(item_id, str) or not item_id:
        raise BadRequestError("The input content is invalid because the required properties - 'id; ' - are missing")
    if len(item_id) > MAX_ID_LENGTH:
        raise BadRequestError(
            "The input name presented is too long. "
            f"Ensure to provide a unique non-empty string less than '{MAX_ID_LENGTH + 1}' characters."
        )
    if any(ch in item_id for ch in "/\\?#"):
        raise BadRequestError(f"The document id '{item_id}' contains an invalid character: / \\ ? or #.")
    return item_id


def _epk(key: str, components: Sequence[PartitionKeyValue], multi_hash: bool, v1: bool = False) -> str:
    cached = _EPK_CACHE.get((key, multi_hash, v1))
    if cached is None:
        if len(_EPK_CACHE) > 10_000:
            _EPK_CACHE.clear()
        if v1:
            cached = effective_partition_key_v1(components)
        else:
            cached = effective_partition_key(components, multi_hash=multi_hash)
        _EPK_CACHE[(key, multi_hash, v1)] = cached
    return cached


def check_etag(record: ItemRecord | None, if_match: str | None) -> None:
    """Raise 412 when an If-Match etag names a version other than the current one."""
    if if_match and if_match != "*" and (record is None or record.etag != if_match):
        raise PreconditionFailedError(
            "Operation cannot be performed because one of the specified precondition is not met."
        )


class ContainerWrite:
    """Changes to one container, staged until committed."""

    def __init__(self, container: Container, now: float | None = None, *, one_lsn: bool = False) -> None:
        self.container = container
        self.now = time.time() if now is None else now
        self.lsn = container.lsn
        # A transactional batch commits as one operation: every write in it shares one LSN.
        self._one_lsn = one_lsn
        self.staged: dict[tuple[str, str], ItemRecord | None] = {}
        # The LSN each delete got, for the full-fidelity change log.
        self.deleted_at: dict[tuple[str, str], int] = {}
        key = container.body.get("partitionKey") or {}
        # Containers created with partition-key version 1 route by the older hash (the SDKs send its ranges).
        self._hash_v1 = key.get("kind", "Hash") == "Hash" and key.get("version") == 1

    def check_etag(self, record: ItemRecord | None, if_match: str | None) -> None:
        """412 unless If-Match names the item's etag.

        In a transactional batch an item written by an earlier operation also still matches the etag it had
        before the batch: the batch commits as one, and its new etags exist only once it has (Microsoft's
        own batch sample replaces an item, then replaces it again with the etag it read before the batch).
        """
        if self._one_lsn and record is not None and if_match:
            committed = self.container.partitions.get(record.pk, {}).get(record.id)
            if committed is not None and committed.etag == if_match:
                return
        check_etag(record, if_match)

    def _next_lsn(self) -> None:
        if not self._one_lsn or self.lsn == self.container.lsn:
            self.lsn += 1

    def key_for(
        self, header: Sequence[PartitionKeyValue] | None, body: dict[str, Any] | None
    ) -> tuple[str, tuple[PartitionKeyValue, ...]]:
        """The partition key string for a request: from the header, checked against the body."""
        from_body = partition_keys.extract(body, self.container.key_paths) if body is not None else None
        if header is None:
            if from_body is None:
                raise BadRequestError("The partition key header x-ms-documentdb-partitionkey is required.")
            return partition_keys.key_string(from_body), from_body
        components = tuple(header)
        if self.container.multi_hash and (not components or len(components) > len(self.container.key_paths)):
            # `[]` names no partition of a hierarchical key at all (a prefix is simply not found).
            raise BadRequestError(
                "Partition key provided either doesn't correspond to definition in the collection or doesn't"
                " match partition key field values specified in the document."
            )
        if from_body is not None and partition_keys.key_string(from_body) != partition_keys.key_string(components):
            raise PartitionKeyMismatchError(
                "PartitionKey extracted from document doesn't match the one specified in the header."
            )
        return partition_keys.key_string(components), components

    def get(self, pk: str, item_id: str) -> ItemRecord | None:
        """The current live version of an item, seeing staged changes."""
        if (pk, item_id) in self.staged:
            entry = self.staged[(pk, item_id)]
            return entry
        record = self.container.partitions.get(pk, {}).get(item_id)
        if record is None or not self.container.is_live(record, self.now):
            return None
        return record

    def partition(self, pk: str) -> Iterator[ItemRecord]:
        """Live items of one logical partition, seeing staged changes."""
        seen = set()
        for (staged_pk, item_id), entry in self.staged.items():
            if staged_pk == pk:
                seen.add(item_id)
                if entry is not None:
                    yield entry
        for item_id, record in self.container.partitions.get(pk, {}).items():
            if item_id not in seen and self.container.is_live(record, self.now):
                yield record

    def put(
        self, pk: str, components: Sequence[PartitionKeyValue], body: dict[str, Any], previous: ItemRecord | None
    ) -> ItemRecord:
        """Stage a new version of a document, filling in its system properties."""
        item_id = validate_id(body.get("id"))
        if self.container.default_ttl is not None:
            check_item_ttl(body)
        self._next_lsn()
        stored = {key: value for key, value in body.items() if key not in _STRIPPED}
        rid = previous.body["_rid"] if previous is not None else new_rid(self.container.rid, 8)
        stored["_rid"] = rid
        stored["_self"] = f"{self.container.self_link}docs/{rid}/"
        stored["_etag"] = new_etag()
        stored["_attachments"] = "attachments/"
        stored["_ts"] = int(self.now)
        text = json.dumps(stored, separators=(",", ":"), ensure_ascii=False)
        if len(text.encode()) > MAX_DOCUMENT_BYTES:
            raise EntityTooLargeError("Request size is too large. The document exceeds the maximum size of 2 MB.")
        record = ItemRecord(
            id=item_id,
            pk=pk,
            epk=_epk(pk, components, self.container.multi_hash, self._hash_v1),
            lsn=self.lsn,
            seq=previous.seq if previous is not None else self.lsn,
            ts=int(self.now),
            body=stored,
            text=text,
        )
        self._check_unique_keys(record)
        self.staged[(pk, item_id)] = record
        return record

    def remove(self, record: ItemRecord) -> None:
        """Stage the deletion of a record."""
        self._next_lsn()
        self.staged[(record.pk, record.id)] = None
        self.deleted_at[(record.pk, record.id)] = self.lsn

    def _check_unique_keys(self, record: ItemRecord) -> None:
        for paths in self.container.unique_key_paths:
            mine = partition_keys.key_string(partition_keys.extract(record.body, paths))
            for other in self.partition(record.pk):
                if (
                    other.id != record.id
                    and partition_keys.key_string(partition_keys.extract(other.body, paths)) == mine
                ):
                    raise ConflictError("Unique index constraint violation.")


class Documents:
    """Commits staged writes durably, then in memory."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    def commit(self, write: ContainerWrite, *, ttl_expired: bool = False) -> None:
        """Write the staged changes and their change-log entries durably, then apply them in memory."""
        if not write.staged:
            return
        container = write.container
        upserts = [entry for entry in write.staged.values() if entry is not None]
        deletes = [key for key, entry in write.staged.items() if entry is None]
        if change_log.has_unnumbered(container, write.staged, write.deleted_at):
            # A compensating write staged directly (a failed post-trigger's undo) is a change of its own.
            write.lsn = max(write.lsn, container.lsn) + 1
        changes = change_log.entries_for(
            container, write.staged, write.deleted_at, write.now, ttl_expired=ttl_expired, fallback_lsn=write.lsn
        )
        self._store.commit_items(container.rid, write.lsn, upserts, deletes, changes)
        for (pk, item_id), entry in write.staged.items():
            partition = container.partitions.setdefault(pk, {})
            if entry is None:
                partition.pop(item_id, None)
                if not partition:
                    del container.partitions[pk]
            else:
                partition[item_id] = entry
        container.lsn = write.lsn

    def purge_expired(self, container: Container, now: float) -> int:
        """Durably delete items whose TTL has passed; returns how many."""
        write = ContainerWrite(container, now)
        expired = [record for record in container.all_records() if not container.is_live(record, now)]
        for record in expired:
            # Each expiry is a delete with its own LSN, as the full-fidelity change feed reports it.
            write.remove(record)
        self.commit(write, ttl_expired=True)
        return len(expired)


def read(write: ContainerWrite, pk: str, item_id: str) -> ItemRecord:
    """The live item, or 404."""
    record = write.get(pk, item_id)
    if record is None:
        raise NotFoundError("Entity with the specified id does not exist in the system.")
    return record


def create(write: ContainerWrite, pk: str, components: Sequence[PartitionKeyValue], body: dict[str, Any]) -> ItemRecord:
    """Stage a new item; 409 if the id is taken in its partition."""
    if write.get(pk, validate_id(body.get("id"))) is not None:
        raise ConflictError("Entity with the specified id already exists in the system.")
    return write.put(pk, components, body, None)


def upsert(
    write: ContainerWrite, pk: str, components: Sequence[PartitionKeyValue], body: dict[str, Any], if_match: str | None
) -> tuple[ItemRecord, bool]:
    """Stage a create or a replace; returns the record and whether it was created."""
    previous = write.get(pk, validate_id(body.get("id")))
    if previous is not None:
        write.check_etag(previous, if_match)
    # An If-Match on an item that does not exist yet does not stop the upsert: the service creates it.
    return write.put(pk, components, body, previous), previous is None


def replace(
    write: ContainerWrite,
    pk: str,
    components: Sequence[PartitionKeyValue],
    item_id: str,
    body: dict[str, Any],
    if_match: str | None,
) -> ItemRecord:
    """Stage a new version of an existing item, honouring If-Match.

    The URL names the item replaced; a different `id` in the body renames it (409 if that id is taken).
    """
    previous = read(write, pk, item_id)
    write.check_etag(previous, if_match)
    new_id = validate_id(body.get("id"))
    if new_id != item_id:
        if write.get(pk, new_id) is not None:
            raise ConflictError("Entity with the specified id already exists in the system.")
        write.remove(previous)
    return write.put(pk, components, body, previous)


def delete(write: ContainerWrite, pk: str, item_id: str, if_match: str | None) -> ItemRecord:
    """Stage the deletion of an existing item, honouring If-Match."""
    previous = read(write, pk, item_id)
    write.check_etag(previous, if_match)
    write.remove(previous)
    return previous


def delete_partition(write: ContainerWrite, pk: str) -> int:
    """Stage the deletion of every item of one logical partition; returns how many."""
    records = list(write.partition(pk))
    for record in records:
        write.remove(record)
    return len(records)


def patch(
    write: ContainerWrite,
    pk: str,
    components: Sequence[PartitionKeyValue],
    item_id: str,
    spec: dict[str, Any],
    if_match: str | None,
    condition_holds: Callable[[str, dict[str, Any]], bool],
) -> ItemRecord:
    """Apply a patch request (`{"operations": [...], "condition": "from c where ..."}`) to one item."""
    previous = read(write, pk, item_id)
    write.check_etag(previous, if_match)
    condition = spec.get("condition")
    if condition and not condition_holds(str(condition), previous.body):
        raise PreconditionFailedError("Precondition of the patch operation is not satisfied.")
    patched = apply_patch(previous.body, spec.get("operations") or [])
    if patched.get("id") != item_id:
        raise BadRequestError("The id of a document cannot be changed by patch.")
    if partition_keys.key_string(partition_keys.extract(patched, write.container.key_paths)) != pk:
        raise BadRequestError("The partition key of a document cannot be changed by patch.")
    return write.put(pk, components, patched, previous)
