"""The emulator's in-memory resource model: databases, containers, items, offers.

Everything lives in memory for speed and is written through to SQLite (see `store`) before a write is
acknowledged, so a restart rebuilds exactly this state.
"""

from __future__ import annotations

import base64
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

from local_emulators.cosmos.backend import partition_keys


def new_rid(prefix: str = "", size: int = 4) -> str:
    """A fresh resource id: `prefix` (the owner's rid bytes) plus `size` random bytes, Cosmos-style base64."""
    owner = base64.b64decode(prefix.replace("-", "/")) if prefix else b""
    raw = owner + os.urandom(size)
    # Cosmos rids are base64 with "/" replaced by "-", so they stay one URL segment.
    return base64.b64encode(raw).decode().replace("/", "-")


def new_etag() -> str:
    """A fresh quoted etag."""
    return f'"{uuid.uuid4()}"'


@dataclass(slots=True)
class ItemRecord:
    """One stored document with the bookkeeping the emulator needs beside its body.

    `lsn` is the container LSN of the last write, `seq` the LSN of its creation (stable query order), and
    `text` the body as serialised JSON, kept so reads and queries never encode a stored document again.
    """

    id: str
    pk: str
    epk: str
    lsn: int
    seq: int
    ts: int
    body: dict[str, Any]
    text: str

    @property
    def etag(self) -> str:
        """The current version's quoted etag."""
        return str(self.body["_etag"])


@dataclass
class Container:
    """A container and its documents, grouped by logical partition (key string → id → record)."""

    rid: str
    db_id: str
    id: str
    body: dict[str, Any]
    lsn: int = 0
    partitions: dict[str, dict[str, ItemRecord]] = field(default_factory=dict)

    @property
    def self_link(self) -> str:
        """The rid-based `_self` link."""
        return str(self.body["_self"])

    @property
    def key_paths(self) -> list[list[str]]:
        """The partition key paths, each split into segments."""
        definition = self.body.get("partitionKey") or {}
        return [partition_keys.split_path(path) for path in definition.get("paths", [])]

    @property
    def multi_hash(self) -> bool:
        """Whether the key is hierarchical."""
        definition = self.body.get("partitionKey") or {}
        return str(definition.get("kind", "Hash")) == "MultiHash"

    @property
    def default_ttl(self) -> int | None:
        """The container's `defaultTtl`, or None when items never expire."""
        value = self.body.get("defaultTtl")
        return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    @property
    def unique_key_paths(self) -> list[list[list[str]]]:
        """Each unique key as a list of split paths."""
        policy = self.body.get("uniqueKeyPolicy") or {}
        return [
            [partition_keys.split_path(path) for path in key.get("paths", [])] for key in policy.get("uniqueKeys", [])
        ]

    def expiry_of(self, record: ItemRecord) -> float | None:
        """When the record expires (epoch seconds), or None if it never does."""
        default = self.default_ttl
        if default is None:
            return None
        own = record.body.get("ttl")
        ttl = int(own) if isinstance(own, int | float) and not isinstance(own, bool) else default
        if ttl < 0:
            return None
        return record.ts + ttl

    def is_live(self, record: ItemRecord, now: float) -> bool:
        """Whether the record is visible at `now` (not expired by TTL)."""
        expiry = self.expiry_of(record)
        return expiry is None or now < expiry

    def all_records(self) -> list[ItemRecord]:
        """Every stored record, live or expired."""
        return [record for partition in self.partitions.values() for record in partition.values()]

    def count(self) -> int:
        """How many records are stored."""
        return sum(len(partition) for partition in self.partitions.values())


@dataclass
class Database:
    """A database and its containers by id."""

    rid: str
    id: str
    body: dict[str, Any]
    containers: dict[str, Container] = field(default_factory=dict)


@dataclass
class Offer:
    """A throughput record for a container or a database."""

    rid: str
    resource_rid: str
    body: dict[str, Any]
