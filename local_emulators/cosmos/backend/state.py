"""The whole emulated account: catalog, document writes, query engine and the durable store."""

from __future__ import annotations

import time
from pathlib import Path

from local_emulators.cosmos.backend.catalog import Catalog
from local_emulators.cosmos.backend.documents import Documents
from local_emulators.cosmos.backend.models import Container, ItemRecord
from local_emulators.cosmos.backend.partitioning import KeyRange, PartitionLayout
from local_emulators.cosmos.backend.queries import QueryEngine
from local_emulators.cosmos.backend.store import SqliteStore
from local_emulators.cosmos.scripting.access import AccessCatalog
from local_emulators.cosmos.scripting.catalog import ScriptCatalog

DATABASE_FILE = "cosmos.sqlite3"
# Microsoft's emulator gives each partitioned container 5 physical partitions (25 by default, "5 unlimited
# containers"), so code that only works on one partition fails locally as it would in Azure.
DEFAULT_PARTITIONS = 5


class AccountState:
    """Everything one emulator process serves.

    Args:
        data_dir: Where the SQLite file lives; None keeps everything in memory (lost on exit).
        strict_queries: Reject queries real Azure rejects (cross-partition GROUP BY).
        partitions: Physical partitions (key ranges) per container.
    """

    def __init__(
        self, data_dir: Path | None, *, strict_queries: bool = False, partitions: int = DEFAULT_PARTITIONS
    ) -> None:
        if data_dir is not None:
            data_dir.mkdir(parents=True, exist_ok=True)
        self.store = SqliteStore(data_dir / DATABASE_FILE if data_dir is not None else None)
        self.catalog = Catalog(self.store)
        self.documents = Documents(self.store)
        self.queries = QueryEngine(strict=strict_queries)
        self.layout = PartitionLayout(partitions, self._own_throughput)
        self.scripts = ScriptCatalog()
        self.access = AccessCatalog()

    def _own_throughput(self, container: Container) -> int:
        """The RU/s of the container's own offer (the autoscale maximum when autoscaled), or 0."""
        for offer in self.catalog.offers.values():
            if offer.resource_rid == container.rid:
                content = offer.body.get("content") or {}
                autoscale = content.get("offerAutopilotSettings") or {}
                value = autoscale.get("maxThroughput", content.get("offerThroughput", 0))
                return int(value) if isinstance(value, int | float) else 0
        return 0

    def reset(self) -> None:
        """Delete every database, container, item and offer."""
        self.catalog.clear()
        self.queries.clear()
        self.scripts.clear()
        self.access.clear()

    def purge_expired(self) -> int:
        """Durably remove items whose TTL has passed (they are already invisible)."""
        now = time.time()
        return sum(
            self.documents.purge_expired(container, now)
            for container in list(self.catalog.containers_by_rid.values())
            if container.default_ttl is not None
        )

    @staticmethod
    def records_in_scope(
        container: Container,
        pk: str | None,
        epk_range: tuple[str, str] | None,
        now: float | None = None,
        key_range: KeyRange | None = None,
    ) -> list[ItemRecord]:
        """Live records of one logical partition, an EPK range, a physical partition or the whole container.

        Records come in creation order (one logical partition: its own stable order).
        """
        moment = time.time() if now is None else now
        candidates = list(container.partitions.get(pk, {}).values()) if pk is not None else container.all_records()
        if key_range is not None:
            candidates = [r for r in candidates if key_range.contains(r.epk)]
        if epk_range is not None:
            low, high = epk_range
            candidates = [r for r in candidates if low <= r.epk and (not high or r.epk < high)]
        live = (
            [r for r in candidates if container.is_live(r, moment)] if container.default_ttl is not None else candidates
        )
        if pk is None:
            live.sort(key=lambda record: record.seq)
        return live
