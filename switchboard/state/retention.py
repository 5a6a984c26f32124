"""Retention of a run's items by Cosmos TTL (docs/hosting.md, "Stranded runs and retention").

The runs container has TTL on per item (`defaultTtl: -1`: only items carrying a `ttl` expire, Bicep sets it and a
locally created container gets it). Items get their `ttl` when they are written, in the same request, so
retention costs no request of its own:

- inbox marks, outboxes (with their attachments) and steps: `SWITCHBOARD_HOP_RETENTION_SECONDS` (default 7
  days). They only matter while their message can still arrive (a redelivery, a duplicate, a dead-letter
  replay), which is long over by then;
- run documents, agent state and transcript entries: `SWITCHBOARD_RUN_RETENTION_SECONDS`, kept by default (-1).

Cosmos counts a `ttl` from the item's last write (`_ts`), so a run document expires that long after its last
change (its end), an entry that long after the hop that wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from switchboard.hosting.lifecycle_settings import RunLifecycleSettings

CONTAINER_DEFAULT_TTL = -1
"""The runs container's `defaultTtl`: TTL on, items decide."""

HOP_KINDS = frozenset({"inbox", "outbox", "step", "attachment"})
"""Item types kept for the hop retention (an attachment is the part of an outbox a message refers to)."""
RUN_KINDS = frozenset({"run", "state", "entry"})
"""Item types kept for the run retention."""
_CHUNK = "chunk"
# Batch operations whose item is the argument at this position (`execute_item_batch`'s tuples).
_ITEM_ARGUMENT = {"create": 0, "upsert": 0, "replace": 1}


@dataclass(frozen=True)
class ItemTtls:
    """The `ttl` each kind of item is written with (None: no `ttl`, kept).

    Attributes:
        hop: Inbox marks, outboxes and steps.
        run: Run documents, agent state and transcript entries.
    """

    hop: int | None = None
    run: int | None = None

    @classmethod
    def from_settings(cls, settings: RunLifecycleSettings | None = None) -> ItemTtls:
        """The TTLs the settings (default: the environment) ask for."""
        settings = settings or RunLifecycleSettings()
        return cls(hop=settings.hop_retention_seconds, run=settings.run_ttl)

    def ttl_of(self, item: Mapping[str, Any]) -> int | None:
        """The `ttl` an item of the run's layout gets by its type (a chunk: the type of the item it is part of)."""
        kind = str(item.get("type"))
        if kind == _CHUNK:
            kind = str(item.get("of", "")).split(":", 1)[0]
        if kind in HOP_KINDS:
            return self.hop
        return self.run if kind in RUN_KINDS else None

    def stamp(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """`item` with the `ttl` of its type."""
        return _with_ttl(item, self.ttl_of(item))

    def stamp_batches(self, batches: Sequence[Sequence[Mapping[str, Any]]]) -> list[list[dict[str, Any]]]:
        """Every item of some batches of items (a commit's overflow), stamped."""
        return [[self.stamp(item) for item in batch] for batch in batches]

    def stamp_operations(self, operations: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """A transactional batch's operations with each written item stamped (patches are left as they are)."""
        stamped: list[tuple[Any, ...]] = []
        for operation in operations:
            position = _ITEM_ARGUMENT.get(str(operation[0]))
            if position is None:
                stamped.append(operation)
                continue
            arguments = list(operation[1])
            arguments[position] = self.stamp(arguments[position])
            stamped.append((operation[0], tuple(arguments), *operation[2:]))
        return stamped

    def hop_item(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """`item` with the hop items' `ttl`."""
        return _with_ttl(item, self.hop)

    def run_item(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """`item` with the run items' `ttl`."""
        return _with_ttl(item, self.run)


def _with_ttl(item: Mapping[str, Any], ttl: int | None) -> dict[str, Any]:
    return {**item, "ttl": ttl} if ttl is not None else dict(item)
