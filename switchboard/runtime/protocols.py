"""The ports a runtime host plugs into: where state lives, and where emitted envelopes go."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from switchboard.messages import Envelope


@dataclass(frozen=True)
class StoredState:
    """An agent's state as a store keeps it.

    Attributes:
        agent: The agent's name.
        run_id: The run.
        schema_version: The `AgentState.state_version` it was written with.
        data: The state's fields as JSON values.
        etag: The store's version tag, checked on the next save.
    """

    agent: str
    run_id: str
    schema_version: int
    data: Mapping[str, Any]
    etag: str


@runtime_checkable
class StateStore(Protocol):
    """Keeps each agent's state per run, with optimistic concurrency."""

    async def load(self, agent: str, run_id: str) -> StoredState | None:
        """Return the stored state, or None when the agent has none yet in this run."""
        ...

    async def save(
        self,
        agent: str,
        run_id: str,
        *,
        schema_version: int,
        data: Mapping[str, Any],
        expected_etag: str | None,
    ) -> str:
        """Store new state and return its new etag.

        Args:
            agent: The agent's name.
            run_id: The run.
            schema_version: The state schema version.
            data: The fields as JSON values.
            expected_etag: The etag it was loaded with, or None when it must not exist yet.

        Raises:
            StateConflictError: Someone else saved in between (or created it first).
        """
        ...


@runtime_checkable
class Publisher(Protocol):
    """Sends emitted envelopes on, after the state that produced them is saved."""

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        """Send every envelope; targeted ones to their agent, the others to each subscriber of their type."""
        ...
