"""`TranscriptEntry`: one message in a team run's transcript, as termination conditions and results see it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from switchboard.models.chat import Usage

EntryKind = Literal["task", "text", "structured"]


class TranscriptEntry(BaseModel):
    """Who said what in a team run.

    Attributes:
        source: The agent's name, or `user` for the task.
        content: The text (structured output is rendered to text by its agent).
        kind: `task`, `text`, or `structured` (then `data` holds the validated output as JSON).
        data: The structured output, for `structured` entries.
        usage: Tokens the turn spent, including tool-loop calls.
        tool_calls: Names of the tools called during the turn, in order.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    content: str
    kind: EntryKind = "text"
    data: dict[str, Any] | None = None
    usage: Usage = Field(default_factory=Usage)
    tool_calls: tuple[str, ...] = ()
