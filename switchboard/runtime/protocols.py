"""The ports a runtime host plugs into: state with its atomic commit, the step journal, the transcript, the bus.

One handler call ends in one `Commit`: the inbox mark of the handled message, the agent's new state (etag-checked),
the outbox and the new transcript entries, stored all together or not at all. Model and tool calls made during the
call are written through to the `StepJournal` at once, so a redelivered message replays them instead of calling
again. The in-process runtime implements every port in memory (`InMemoryStateStore`); the Cosmos adapter
(`switchboard.state`) implements them in one run partition.
"""

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
        etag: The store's version tag, checked on the next commit.
    """

    agent: str
    run_id: str
    schema_version: int
    data: Mapping[str, Any]
    etag: str


@dataclass(frozen=True)
class TranscriptRecord:
    """One transcript entry of a run, stored as its own item so no document grows with the run.

    Attributes:
        index: The entry's position in the run's transcript (0 is the task).
        entry: The entry's fields as JSON values (a `TranscriptEntry` dumped with `mode="json"`).
    """

    index: int
    entry: Mapping[str, Any]


@dataclass(frozen=True)
class Attachment:
    """A large part of an outgoing message, stored as its own item so the message carries only its id.

    Attributes:
        id: The item's id in the run (`attachment:<agent>:<message_id>:<n>`).
        body: Its JSON value (e.g. a `TranscriptEntry` dumped with `mode="json"`).
    """

    id: str
    body: Mapping[str, Any]


@dataclass(frozen=True)
class Commit:
    """Everything one handler call produced, to be stored atomically (the correctness model's one batch).

    Attributes:
        agent: The agent that handled the message.
        run_id: The run (the partition every item lives in).
        message_id: The handled message's id: the inbox mark is keyed on (agent, message_id).
        schema_version: The agent state's schema version.
        state: The agent's new state as JSON values.
        expected_etag: The etag the state was loaded with, or None when it must not exist yet.
        outgoing: The envelopes to send once stored (the outbox), in emission order; publishes not yet fanned out.
        transcript: New transcript entries to store, in index order.
        run_patch: Fields to set on the run document; filled by hosts (the dispatcher leaves it None).
        attachments: Items the outgoing envelopes refer to (`switchboard.messages.references`), stored with them.
    """

    agent: str
    run_id: str
    message_id: str
    schema_version: int
    state: Mapping[str, Any]
    expected_etag: str | None
    outgoing: tuple[Envelope, ...] = ()
    transcript: tuple[TranscriptRecord, ...] = ()
    run_patch: Mapping[str, Any] | None = None
    attachments: tuple[Attachment, ...] = ()


@runtime_checkable
class StateStore(Protocol):
    """Keeps each agent's state per run, and stores a handler call's `Commit` atomically."""

    async def load(self, agent: str, run_id: str) -> StoredState | None:
        """Return the stored state, or None when the agent has none yet in this run."""
        ...

    async def commit(self, commit: Commit) -> str:
        """Store the inbox mark, state, outbox with its attachments, transcript entries and run patch, all or nothing.

        Args:
            commit: What the handler call produced.

        Returns:
            The state's new etag.

        Raises:
            DuplicateMessageError: The inbox mark of (agent, message_id) exists: the message was handled already
                (checked first: a duplicate is reported as such even when the etag is stale too).
            StateConflictError: The state's etag is not `expected_etag` (someone else committed in between).
        """
        ...


@runtime_checkable
class Inbox(Protocol):
    """Reads what a handled message left behind, so a redelivery can re-send it instead of handling it again."""

    async def outbox(self, agent: str, run_id: str, message_id: str) -> tuple[Envelope, ...] | None:
        """Return the envelopes committed with the inbox mark of (agent, message_id); None when it has none."""
        ...


@runtime_checkable
class StepJournal(Protocol):
    """Finished model and tool calls, written through as they finish, replayed on redelivery.

    A step's key is `<agent>:<message_id>:<n>` (the n-th checkpoint of that handler call); its value is
    `{"kind": "chat" | "tool" | ..., "result": <JSON>}`.
    """

    async def recall(self, run_id: str, key: str) -> Mapping[str, Any] | None:
        """Return the value recorded under `key` in the run, or None."""
        ...

    async def record(self, run_id: str, key: str, value: Mapping[str, Any]) -> Mapping[str, Any]:
        """Store `value` under `key` at once (not part of any commit); the first record of a key wins.

        Returns:
            The value the key holds now: `value`, or the value another instance recorded first (read back on the
            conflict), which the caller adopts so both instances continue with the same answer.
        """
        ...


@runtime_checkable
class TranscriptLog(Protocol):
    """Reads a run's committed transcript entries."""

    async def read(self, run_id: str, start: int, end: int | None = None) -> list[Mapping[str, Any]]:
        """Return the entries with `start <= index < end` (to the last one when `end` is None), in index order."""
        ...


@runtime_checkable
class AttachmentLog(Protocol):
    """Reads the attachments committed with a run's messages (what a referring message names)."""

    async def attachments(self, run_id: str, ids: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        """Return the bodies of the stored attachments among `ids`, by id (missing ones are left out)."""
        ...


@runtime_checkable
class Publisher(Protocol):
    """Sends emitted envelopes on, after the commit that produced them is stored."""

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        """Send every envelope; targeted ones to their agent, the others to each subscriber of their type."""
        ...
