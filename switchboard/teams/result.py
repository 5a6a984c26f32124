"""`TeamResult`: what a finished team run returns to its caller."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from switchboard.models.chat import Usage
from switchboard.protocol.messages import RunCompleted
from switchboard.protocol.transcript import TranscriptEntry


@dataclass(frozen=True)
class TeamResult:
    """A finished run.

    Attributes:
        run_id: The run's id.
        transcript: Every entry, the task first.
        stop_reason: Why the run stopped (the termination condition's reason).
        usage: Tokens spent per agent.
    """

    run_id: str
    transcript: tuple[TranscriptEntry, ...]
    stop_reason: str
    usage: dict[str, Usage]

    @classmethod
    def from_message(cls, message: RunCompleted, run_id: str, entries: Sequence[Mapping[str, Any]]) -> TeamResult:
        """Build the result from the manager's `RunCompleted` and the run's transcript entries (as stored)."""
        return cls(
            run_id=run_id,
            transcript=tuple(TranscriptEntry.model_validate(entry) for entry in entries),
            stop_reason=message.stop_reason,
            usage=dict(message.usage),
        )

    @property
    def total_usage(self) -> Usage:
        """Tokens summed over every agent."""
        total = Usage()
        for usage in self.usage.values():
            total += usage
        return total

    @property
    def final(self) -> TranscriptEntry:
        """The last entry of the transcript."""
        return self.transcript[-1]

    @property
    def messages(self) -> tuple[TranscriptEntry, ...]:
        """The transcript under AutoGen's name (`TaskResult.messages`): every message, the task first."""
        return self.transcript

    def speakers(self) -> list[str]:
        """Who spoke, in order (the task's source first)."""
        return [entry.source for entry in self.transcript]


TaskResult = TeamResult
"""AutoGen's name for a finished run's result (`autogen_agentchat.base.TaskResult`)."""
