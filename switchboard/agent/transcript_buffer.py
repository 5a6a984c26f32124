"""`TranscriptBuffer`: a handler's view of the run's transcript: committed entries plus those it appends.

Entries are separate items in the run's partition, so no document grows with the run. Appends are buffered into
the handler call's commit (stored with the state, or not at all); reads merge the committed entries with the
pending ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class TranscriptReader(Protocol):
    """The `TranscriptLog` port as the agent layer sees it."""

    async def read(self, run_id: str, start: int, end: int | None = None) -> list[Mapping[str, Any]]:
        """Committed entries with `start <= index < end`, in index order."""
        ...


class EmptyTranscript:
    """A transcript log with nothing in it (for a context outside any host)."""

    async def read(self, run_id: str, start: int, end: int | None = None) -> list[Mapping[str, Any]]:
        """No entries."""
        return []


class TranscriptBuffer:
    """Reads the run's transcript and buffers new entries for the commit."""

    def __init__(self, log: TranscriptReader, run_id: str) -> None:
        self._log = log
        self._run_id = run_id
        self._pending: dict[int, Mapping[str, Any]] = {}

    def append(self, entry: Mapping[str, Any], *, index: int) -> None:
        """Add `entry` (JSON values) at position `index`, stored with this handler call's commit.

        The writer of a transcript (a team manager) keeps its length in its state and passes it as `index`, so
        indexes are dense and a redelivered message rewrites the same positions.

        Raises:
            ValueError: `index` is negative or already appended in this call.
        """
        if index < 0 or index in self._pending:
            raise ValueError(f"transcript index {index} is negative or appended twice")
        self._pending[index] = dict(entry)

    @property
    def offset(self) -> int:
        """Where this view's index 0 is in the run's log (a nested team's range starts above the outer one)."""
        return 0

    @property
    def pending(self) -> list[tuple[int, Mapping[str, Any]]]:
        """The appended entries with their indexes, in index order."""
        return sorted(self._pending.items())

    async def since(self, index: int) -> list[Mapping[str, Any]]:
        """Every entry from position `index` on: committed ones, then the ones appended in this call."""
        first_pending = min(self._pending, default=None)
        if first_pending is not None and index >= first_pending:
            stored: list[Mapping[str, Any]] = []  # everything asked for is still pending: no read
        else:
            stored = await self._log.read(self._run_id, index, first_pending)
        return [*stored, *(entry for i, entry in self.pending if i >= index)]
