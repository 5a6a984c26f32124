"""`InMemoryHostStore`: the core's in-memory store plus the hosting ports, for unit tests of the processor."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from switchboard.hosting.open_questions import apply_patch, may_resume
from switchboard.hosting.ports import HopSnapshot, RunEndedError
from switchboard.hosting.run_document import new_run_document
from switchboard.hosting.run_status import TERMINAL_STATUSES, RunStatus
from switchboard.messages.references import NO_REFERENCES, References
from switchboard.runtime.memory_store import InMemoryStateStore
from switchboard.runtime.protocols import Commit


class InMemoryHostStore(InMemoryStateStore):
    """Every state port plus `RunDocuments`, with the Cosmos store's rules (a commit on an ended run is refused).

    Attributes:
        runs_by_id: The run documents.
        snapshots: How many snapshots were read (one per hop that reached the store).
    """

    def __init__(self, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__()
        self.runs_by_id: dict[str, dict[str, Any]] = {}
        self.snapshots = 0
        self._now = now

    async def commit(self, commit: Commit) -> str:
        """Store the commit; its run patch applies only while the run has not ended (else `RunEndedError`)."""
        run = self.runs_by_id.get(commit.run_id)
        ended = commit.run_patch and run is not None and run.get("status") in TERMINAL_STATUSES
        # As in the Cosmos batch, the inbox mark is checked first: a duplicate is reported as such.
        if ended and await self.outbox(commit.agent, commit.run_id, commit.message_id) is None:
            raise RunEndedError(f"run {commit.run_id} ended")
        etag = await super().commit(commit)
        if commit.run_patch:
            apply_patch(self.runs_by_id.setdefault(commit.run_id, {"run_id": commit.run_id}), commit.run_patch)
        return etag

    async def snapshot(
        self, run_id: str, agent: str, message_id: str, *, references: References = NO_REFERENCES
    ) -> HopSnapshot:
        """The run, the state, the outbox and what the message refers to; steps are left to the journal."""
        self.snapshots += 1
        entries = self.entries_of(run_id, *references.entries) if references.entries is not None else []
        start = references.entries[0] if references.entries is not None else 0
        return HopSnapshot(
            run=await self.read_run(run_id),
            state=await self.load(agent, run_id),
            outbox=await self.outbox(agent, run_id, message_id),
            entries=dict(enumerate(entries, start)) if len(entries) == _span(references) else {},
            attachments=self.attachments_of(run_id, references.items),
        )

    async def read_run(self, run_id: str) -> Mapping[str, Any] | None:
        """A copy of the run document, or None."""
        run = self.runs_by_id.get(run_id)
        return copy.deepcopy(run) if run is not None else None

    async def create_run(self, run_id: str, *, task: str, team: str | None) -> bool:
        """Create the run as `queued` unless it exists."""
        if run_id in self.runs_by_id:
            return False
        self.runs_by_id[run_id] = new_run_document(run_id, task=task, team=team, now=self._now().isoformat())
        return True

    async def delete_queued_run(self, run_id: str) -> bool:
        """Delete the run if it is still `queued`."""
        run = self.runs_by_id.get(run_id)
        if run is None or run.get("status") != RunStatus.QUEUED:
            return False
        del self.runs_by_id[run_id]
        return True

    async def fail_run(self, run_id: str, error: str) -> bool:
        """Fail a run that has not ended."""
        return self._end(run_id, RunStatus.FAILED, error=error)

    async def resume_if_answered(self, run_id: str) -> bool:
        """Set an `awaiting_input` run with no open question to `running`."""
        run = self.runs_by_id.get(run_id)
        if run is None or not may_resume(run):
            return False
        run.update(status=RunStatus.RUNNING, updated_at=self._now().isoformat())
        return True

    async def request_cancel(self, run_id: str) -> str:
        """Cancel a run that has not ended; returns its status afterwards."""
        self._end(run_id, RunStatus.CANCELLED)
        return str(self.runs_by_id[run_id]["status"])

    def _end(self, run_id: str, status: RunStatus, **fields: Any) -> bool:
        run = self.runs_by_id.get(run_id)
        if run is None or run.get("status") in TERMINAL_STATUSES:
            return False
        run.update(status=status, updated_at=self._now().isoformat(), **fields)
        return True


def _span(references: References) -> int:
    return 0 if references.entries is None else references.entries[1] - references.entries[0]
