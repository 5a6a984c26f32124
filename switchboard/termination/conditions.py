"""The basic conditions: a message budget and a text mention."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from switchboard.errors import AgentDefinitionError
from switchboard.termination.base import ConditionState, TerminationCondition

if TYPE_CHECKING:
    # Only a type here: importing the teams package at run time would be circular.
    from switchboard.teams.transcript import TranscriptEntry


class MaxMessageTermination(TerminationCondition):
    """Stops after `max_messages` transcript entries, counting the task (as AutoGen does)."""

    def __init__(self, max_messages: int) -> None:
        """Stop once this many messages were seen."""
        if max_messages < 1:
            raise AgentDefinitionError("MaxMessageTermination needs max_messages >= 1")
        self.max_messages = max_messages

    def check(self, entries: Sequence[TranscriptEntry], state: ConditionState) -> ConditionState:
        """Count the new entries."""
        if state.stopped:
            return state
        count = state.count + len(entries)
        stopped = (
            f"maximum number of messages {self.max_messages} reached, current message count: {count}"
            if count >= self.max_messages
            else None
        )
        return ConditionState(count=count, stopped=stopped)

    def __repr__(self) -> str:
        return f"MaxMessageTermination({self.max_messages})"


class TextMentionTermination(TerminationCondition):
    """Stops when an entry's content contains `text` (case-sensitive), optionally only from `sources`."""

    def __init__(self, text: str, sources: Sequence[str] | None = None) -> None:
        """Watch for `text` in messages from `sources` (any agent's when None)."""
        if not text:
            raise AgentDefinitionError("TextMentionTermination needs a non-empty text")
        self.text = text
        self.sources = tuple(sources) if sources is not None else None

    def check(self, entries: Sequence[TranscriptEntry], state: ConditionState) -> ConditionState:
        """Look for the text in the new entries."""
        if state.stopped:
            return state
        for entry in entries:
            if self.sources is not None and entry.source not in self.sources:
                continue
            if self.text in entry.content:
                return ConditionState(count=state.count + 1, stopped=f"text {self.text!r} mentioned by {entry.source}")
        return state

    def __repr__(self) -> str:
        return f"TextMentionTermination({self.text!r})"
