"""Retention of a run's items by Cosmos TTL (docs/hosting.md, "Stranded runs and retention").

The runs container has TTL on per item (`defaultTtl: -1`: only items carrying a `ttl` expire, Bicep sets it and a
locally created container gets it). Items get their `ttl` when they are written, in the same request, so
retention costs no request of its own:

- inbox marks, outboxes and steps: `SWITCHBOARD_HOP_RETENTION_SECONDS` (default 7 days). They only matter while
  their message can still arrive (a redelivery, a duplicate, a dead-letter replay), which is long over by then;
- run documents, agent state and transcript entries: `SWITCHBOARD_RUN_RETENTION_SECONDS`, kept by default (-1).

Cosmos counts a `ttl` from the item's last write (`_ts`), so a run document expires that long after its last
change (its end), an entry that long after the hop that wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from switchboard.hosting.lifecycle_settings import RunLifecycleSettings

CONTAINER_DEFAULT_TTL = -1
"""The runs container's `defaultTtl`: TTL on, items decide."""


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

    def hop_item(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """`item` with the hop items' `ttl`."""
        return _with_ttl(item, self.hop)

    def run_item(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """`item` with the run items' `ttl`."""
        return _with_ttl(item, self.run)


def _with_ttl(item: Mapping[str, Any], ttl: int | None) -> dict[str, Any]:
    return {**item, "ttl": ttl} if ttl is not None else dict(item)
