"""The vocabulary every model client speaks: chat messages, tool specs, responses and token usage.

These are plain frozen Pydantic models so they can travel inside typed messages and agent state
(they are JSON all the way down) and so the scripted model and the real clients return the same thing.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ToolCall(_Frozen):
    """One function call the model asked for; `arguments` is the raw JSON text the model produced."""

    id: str
    name: str
    arguments: str = "{}"


class SystemMessage(_Frozen):
    """Instructions that open every model request."""

    role: Literal["system"] = "system"
    content: str


class UserMessage(_Frozen):
    """A message from the user or from another agent; `source` names who said it."""

    role: Literal["user"] = "user"
    content: str
    source: str = "user"


class AssistantMessage(_Frozen):
    """What the model said: text, tool calls, or both."""

    role: Literal["assistant"] = "assistant"
    content: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    source: str = "assistant"


class ToolResultMessage(_Frozen):
    """The outcome of one tool call, sent back to the model; `is_error` marks failures."""

    role: Literal["tool"] = "tool"
    tool_call_id: str
    name: str
    content: str
    is_error: bool = False


ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolResultMessage
"""Any message in a model request, discriminated by `role`."""


class ToolSpec(_Frozen):
    """A tool as the model sees it: name, description and a JSON schema for the arguments."""

    name: str
    description: str
    parameters: dict[str, Any]


class ResponseFormat(_Frozen):
    """Ask for JSON that matches `json_schema` (structured output)."""

    name: str
    json_schema: dict[str, Any]


ToolChoice = Literal["auto", "required", "none"] | str
"""`auto`, `required`, `none`, or the name of the one tool the model must call."""


class Usage(_Frozen):
    """Tokens spent on one call, or summed over many."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class ModelStep(_Frozen):
    """Which model call this is: the `index`-th call (0-based) of `agent` within run `run_id`.

    A hosted agent replays its steps after a crash, so the same step can be requested twice; the
    scripted model keys its answers on this triple so concurrent runs and retried steps replay.
    """

    run_id: str
    agent: str
    index: int


class ModelRequest(_Frozen):
    """Everything one chat call sends; `agent` and `step` identify the caller (used by scripted replay)."""

    messages: tuple[ChatMessage, ...]
    tools: tuple[ToolSpec, ...] = ()
    tool_choice: ToolChoice = "auto"
    response_format: ResponseFormat | None = None
    agent: str = "assistant"
    max_tokens: int | None = None
    temperature: float | None = None
    step: ModelStep | None = None


class ModelResponse(_Frozen):
    """One chat call's answer."""

    content: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    finish_reason: str = "stop"
    usage: Usage = Field(default_factory=Usage)
    model: str = ""
