"""`TranscriptEntry`: one message in a team run's transcript, as termination conditions and results see it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from switchboard.models.chat import Usage
from switchboard.protocol.tool_activity import ToolActivity

EntryKind = Literal["task", "text", "structured", "tool_summary", "handoff", "stop"]
"""What an entry is, after AutoGen's chat message types.

`task` (the user's task), `text` (TextMessage), `structured` (StructuredMessage), `tool_summary`
(ToolCallSummaryMessage: a turn that ended with its tool results), `handoff` (HandoffMessage), `stop` (StopMessage).
"""


class TranscriptEntry(BaseModel):
    """Who said what in a team run.

    Fields added later all have defaults, so entries stored by older code still read.

    Attributes:
        source: The agent's name, or `user` for the task.
        content: The text (structured output is rendered to text by its agent).
        kind: See `EntryKind`.
        data: The structured output, for `structured` entries.
        usage: Tokens the turn spent, including tool-loop calls.
        tool_calls: Names of the tools called during the turn, in order (handoff tools included).
        target: The agent handed off to, for `handoff` entries.
        model: The model that answered the turn (for cost budgets), when known.
        tool_rounds: How many tool-call rounds the turn made (each is a request and an execution event in AutoGen).
        tool_activity: Each tool call's arguments and result, capped and scrubbed (`tool_activity.py`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    content: str
    kind: EntryKind = "text"
    data: dict[str, Any] | None = None
    usage: Usage = Field(default_factory=Usage)
    tool_calls: tuple[str, ...] = ()
    target: str | None = None
    model: str | None = None
    tool_rounds: int = 0
    tool_activity: tuple[ToolActivity, ...] = ()

    def to_text(self) -> str:
        """The entry as text (AutoGen's `to_text()`), so selector and termination functions read alike."""
        return self.content
