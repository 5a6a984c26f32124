"""The ports a hop declares, SDK-free: its store, the run documents, and where it sends envelopes and events.

`switchboard.state.CosmosRunStore` implements the store and run documents on Cosmos and
`switchboard.transport.ServiceBusPublisher` the events on Service Bus; `switchboard.hosting.memory.InMemoryHostStore`
and `switchboard.testing.InMemoryRunEvents` are their in-memory twins. Keeping the ports here lets
`MessageProcessor` stay free of any Azure SDK, and the adapters import them downward.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from switchboard.errors import TransientError
from switchboard.messages import Envelope
from switchboard.runtime.protocols import Inbox, StateStore, StoredState

REPLAY_OF = "replay_of"
"""Application property of a message replayed from a dead-letter queue: the original MessageId."""


class RunEndedError(TransientError):
    """A commit was refused because its run ended meanwhile (cancelled or failed while the handler worked).

    Transient by type, so a host that does not handle it abandons; the redelivery then sees the ended run and
    completes the message without work. The processor handles it at once the same way.
    """


@dataclass(frozen=True)
class HopSnapshot:
    """What a hop needs to know before it runs its handler, read in one request.

    Attributes:
        run: The run document's fields, or None when the run has no document.
        state: The agent's stored state, or None when it has none yet.
        outbox: The envelopes committed with this message's inbox mark; None when the message was not handled.
        steps: The journaled steps of this handler call by key, when the store read them with the rest; None when
            not read, so the journal must be asked.
    """

    run: Mapping[str, Any] | None
    state: StoredState | None
    outbox: tuple[Envelope, ...] | None = None
    steps: Mapping[str, Mapping[str, Any]] | None = None

    @property
    def status(self) -> str | None:
        """The run's status, or None without a run document."""
        return None if self.run is None else self.run.get("status")


class HopStore(StateStore, Inbox, Protocol):
    """Agent state with its atomic commit, and the outbox a handled message left (read back on a duplicate)."""


class RunDocuments(Protocol):
    """The run documents of docs/hosting.md's contract (`queued` → `running` → `completed`/`failed`/`cancelled`)."""

    async def snapshot(self, run_id: str, agent: str, message_id: str) -> HopSnapshot:
        """Read the run document, the agent's state, and the outbox and steps `message_id` left, all at once."""
        ...

    async def read_run(self, run_id: str) -> Mapping[str, Any] | None:
        """The run document's fields, or None."""
        ...

    async def create_run(self, run_id: str, *, task: str, team: str | None) -> bool:
        """Create the run document as `queued`; False when it exists already (left unchanged)."""
        ...

    async def fail_run(self, run_id: str, error: str) -> bool:
        """Set a run that has not ended to `failed` with `error` stored; False when it had ended or is missing."""
        ...

    async def resume_if_answered(self, run_id: str) -> bool:
        """Set an `awaiting_input` run with no open question to `running`, atomically (`open_questions`).

        Returns:
            True when this call set it (so the caller announces `running`); False when a question is still open,
            the run is not `awaiting_input`, or it has no document.
        """
        ...


class RunEvents(Protocol):
    """Sends envelopes on, schedules them, and announces run status changes (`ServiceBusPublisher` is one)."""

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        """Send every envelope; targeted ones to their agent, the others to each subscriber of their type."""
        ...

    async def publish_event(self, run_id: str, status: str, *, event_id: str | None = None) -> None:
        """Announce that `run_id` is now `status`; `event_id` makes a repeated announcement a duplicate."""
        ...

    async def schedule(self, envelopes: Sequence[Envelope], at: datetime) -> None:
        """Send every envelope at `at` (an input request's timeout), not before."""
        ...
