"""`InMemoryStateStore`: every port of `protocols.py` in memory, for the in-process runtime and unit tests.

It keeps the same rules as the Cosmos store: a commit is all or nothing, the inbox mark is checked before the etag,
a recorded step is never overwritten, and everything handed out or taken in is deep-copied so a handler still
holding data cannot change what is stored.
"""

from __future__ import annotations

import copy
import itertools
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from switchboard.errors import DuplicateMessageError, StateConflictError
from switchboard.messages import Envelope
from switchboard.runtime.protocols import Commit, StoredState


class InMemoryStateStore:
    """State, inbox marks with their outboxes, steps, transcript entries and run documents, in dicts.

    A message's steps are dropped when its commit is stored: a redelivery finds the inbox mark and never replays
    them. With `inbox_limit`, only the newest marks are kept (like a broker's duplicate-detection window), so a
    long in-process run does not hold every envelope it ever sent.

    Attributes:
        commits: How many commits were stored.
        steps_recorded: How many steps were recorded (replays record nothing).
    """

    def __init__(self, *, inbox_limit: int | None = None) -> None:
        """Keep every inbox mark, or only the newest `inbox_limit`."""
        if inbox_limit is not None and inbox_limit < 1:
            raise ValueError("inbox_limit must be at least 1")
        self.inbox_limit = inbox_limit
        self._states: dict[tuple[str, str], StoredState] = {}
        self._inbox: OrderedDict[tuple[str, str, str], tuple[Envelope, ...]] = OrderedDict()
        # (run, "<agent>:<message_id>") -> {step key: value}, so a commit drops its message's steps in one go.
        self._steps: dict[tuple[str, str], dict[str, Mapping[str, Any]]] = {}
        self._entries: dict[str, dict[int, Mapping[str, Any]]] = {}
        self._runs: dict[str, dict[str, Any]] = {}
        self._etags = itertools.count(1)
        self.commits = 0
        self.steps_recorded = 0

    # StateStore
    async def load(self, agent: str, run_id: str) -> StoredState | None:
        """Return the stored state or None."""
        return self._states.get((agent, run_id))

    async def commit(self, commit: Commit) -> str:
        """Store everything of `commit` at once; see `StateStore.commit`."""
        mark = (commit.run_id, commit.agent, commit.message_id)
        if mark in self._inbox:
            raise DuplicateMessageError(
                f"message {commit.message_id} was already handled by {commit.agent!r} in run {commit.run_id!r}"
            )
        key = (commit.agent, commit.run_id)
        current = self._states.get(key)
        current_etag = current.etag if current else None
        if current_etag != commit.expected_etag:
            raise StateConflictError(
                f"state of {commit.agent!r} in run {commit.run_id!r} changed since it was loaded "
                f"(expected etag {commit.expected_etag!r}, found {current_etag!r})"
            )
        # Every check is done above, so nothing below can fail half-way: the commit is atomic.
        etag = str(next(self._etags))
        self._states[key] = StoredState(
            commit.agent, commit.run_id, commit.schema_version, copy.deepcopy(dict(commit.state)), etag
        )
        self._inbox[mark] = tuple(commit.outgoing)
        if self.inbox_limit is not None and len(self._inbox) > self.inbox_limit:
            self._inbox.popitem(last=False)
        self._steps.pop((commit.run_id, f"{commit.agent}:{commit.message_id}"), None)
        entries = self._entries.setdefault(commit.run_id, {})
        for record in commit.transcript:
            entries[record.index] = copy.deepcopy(dict(record.entry))
        if commit.run_patch is not None:
            run = self._runs.setdefault(commit.run_id, {"id": commit.run_id, "run_id": commit.run_id})
            run.update(copy.deepcopy(dict(commit.run_patch)))
        self.commits += 1
        return etag

    # Inbox
    async def outbox(self, agent: str, run_id: str, message_id: str) -> tuple[Envelope, ...] | None:
        """The envelopes committed with the inbox mark, or None when the message was not handled."""
        return self._inbox.get((run_id, agent, message_id))

    # StepJournal
    async def recall(self, run_id: str, key: str) -> Mapping[str, Any] | None:
        """Return a recorded step, or None."""
        value = self._steps.get((run_id, _handler_call(key)), {}).get(key)
        return copy.deepcopy(dict(value)) if value is not None else None

    async def record(self, run_id: str, key: str, value: Mapping[str, Any]) -> Mapping[str, Any]:
        """Record a step; the first record of a key wins and is returned (as a create that reads back a conflict).

        Raises:
            DuplicateMessageError: The step's message was committed meanwhile (another instance handled it), so its
                steps were dropped and there is no value to adopt: the caller must stop and re-send that outbox.
        """
        agent, message_id = _handler_call(key).split(":", 1)
        if (run_id, agent, message_id) in self._inbox:
            raise DuplicateMessageError(f"message {message_id} was already handled by {agent!r} in run {run_id!r}")
        steps = self._steps.setdefault((run_id, _handler_call(key)), {})
        if key not in steps:
            steps[key] = copy.deepcopy(dict(value))
            self.steps_recorded += 1
        return copy.deepcopy(dict(steps[key]))

    # TranscriptLog
    async def read(self, run_id: str, start: int, end: int | None = None) -> list[Mapping[str, Any]]:
        """Committed entries with `start <= index < end`, in index order."""
        entries = self._entries.get(run_id, {})
        return [copy.deepcopy(dict(entries[i])) for i in sorted(entries) if i >= start and (end is None or i < end)]

    # Inspection, for tests and the CLI
    def runs(self) -> set[str]:
        """Every run id with stored state."""
        return {run for _, run in self._states}

    def run_document(self, run_id: str) -> Mapping[str, Any] | None:
        """The run document built from the commits' run patches, or None when no commit patched it."""
        run = self._runs.get(run_id)
        return copy.deepcopy(run) if run is not None else None

    def transcript_length(self, run_id: str) -> int:
        """How many transcript entries the run has stored."""
        return len(self._entries.get(run_id, {}))


def _handler_call(key: str) -> str:
    # "<agent>:<message_id>:<n>" -> "<agent>:<message_id>"
    return key.rsplit(":", 1)[0]
