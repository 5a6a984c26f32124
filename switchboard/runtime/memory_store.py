"""`InMemoryStateStore`: the state store of the in-process runtime and of unit tests."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping
from typing import Any

from switchboard.errors import StateConflictError
from switchboard.runtime.protocols import StoredState


class InMemoryStateStore:
    """Keeps state in a dict, with the same etag rules as the Cosmos store."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], StoredState] = {}
        self._etags = itertools.count(1)

    async def load(self, agent: str, run_id: str) -> StoredState | None:
        """Return the stored state or None."""
        return self._items.get((agent, run_id))

    async def save(
        self,
        agent: str,
        run_id: str,
        *,
        schema_version: int,
        data: Mapping[str, Any],
        expected_etag: str | None,
    ) -> str:
        """Store the state if the etag still matches; see `StateStore.save`."""
        key = (agent, run_id)
        current = self._items.get(key)
        current_etag = current.etag if current else None
        if current_etag != expected_etag:
            raise StateConflictError(
                f"state of {agent!r} in run {run_id!r} changed since it was loaded "
                f"(expected etag {expected_etag!r}, found {current_etag!r})"
            )
        etag = str(next(self._etags))
        # A deep copy, so a handler still holding the data cannot change what is stored.
        self._items[key] = StoredState(agent, run_id, schema_version, copy.deepcopy(dict(data)), etag)
        return etag

    def runs(self) -> set[str]:
        """Every run id with stored state."""
        return {run for _, run in self._items}
