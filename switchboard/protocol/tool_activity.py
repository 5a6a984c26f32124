"""`ToolActivity`: what one tool call of a turn did — its arguments and result — as the run's transcript keeps it.

`TranscriptEntry.tool_activity` lists them, so `switchboard runs show` (and `--json`, and `GET /api/runs/{id}`,
which share the JSON) show what each tool was asked and answered, not only its name. Both texts are capped and
scrubbed of secrets by the agent before the entry is committed, with the same scrubber the traces use, so a key a
tool echoed never reaches the run store or a terminal.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from switchboard.models.chat import ToolCall, ToolResultMessage

TOOL_TEXT_LIMIT = 1000
"""The most characters of a tool's arguments or result kept in the transcript."""


class ToolActivity(BaseModel):
    """One tool call of a turn.

    Attributes:
        name: The tool.
        arguments: The arguments the model passed (JSON text), capped and scrubbed.
        result: What went back to the model, capped and scrubbed.
        is_error: The call failed (bad arguments, an exception, a timeout, a denial).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    arguments: str
    result: str
    is_error: bool = False


def capped(text: str, limit: int = TOOL_TEXT_LIMIT) -> str:
    """`text`, cut to `limit` characters with a note of how many were left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def tool_activity(call: ToolCall, result: ToolResultMessage, scrub: Callable[[str], str]) -> ToolActivity:
    """The transcript's record of `call` and its `result`.

    Scrubbed first, then capped, so a cut cannot leave an unrecognisable tail of a secret behind.
    """
    return ToolActivity(
        name=call.name,
        arguments=capped(scrub(call.arguments)),
        result=capped(scrub(result.content)),
        is_error=result.is_error,
    )
