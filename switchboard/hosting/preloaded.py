"""Per-hop views of the ports that serve what the hop's snapshot already read, so nothing is read twice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from switchboard.runtime.protocols import Commit, StateStore, StepJournal, StoredState


class PreloadedState:
    """A `StateStore` for one hop: `load` of the hop's agent answers from the snapshot; `commit` goes through."""

    def __init__(self, store: StateStore, *, agent: str, run_id: str, state: StoredState | None) -> None:
        self._store = store
        self._key = (agent, run_id)
        self._state = state

    async def load(self, agent: str, run_id: str) -> StoredState | None:
        """The snapshot's state for the hop's agent; any other agent's from the store."""
        if (agent, run_id) == self._key:
            return self._state
        return await self._store.load(agent, run_id)

    async def commit(self, commit: Commit) -> str:
        """Store the commit in the underlying store."""
        return await self._store.commit(commit)


class PreloadedJournal:
    """A `StepJournal` for one hop that reads nothing it already knows.

    When the hop's snapshot read this handler call's steps, `recall` answers from them without a request;
    otherwise it asks the journal. Records always go through at once. A record that comes back with another
    instance's value shows the snapshot is stale (someone is handling the same message): from then on every recall
    asks the journal, so this instance takes the other's later steps instead of making them again.
    """

    def __init__(self, journal: StepJournal, *, steps: Mapping[str, Mapping[str, Any]] | None) -> None:
        self._journal = journal
        self._steps = steps

    async def recall(self, run_id: str, key: str) -> Mapping[str, Any] | None:
        """The journaled step under `key`, or None."""
        if self._steps is not None:
            return self._steps.get(key)
        return await self._journal.recall(run_id, key)

    async def record(self, run_id: str, key: str, value: Mapping[str, Any]) -> Mapping[str, Any]:
        """Write the step through; return the value the journal keeps (another instance's, if it was first)."""
        kept = await self._journal.record(run_id, key, value)
        if kept.get("result") != value.get("result"):
            self._steps = None
        return kept
