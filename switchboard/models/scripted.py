"""A deterministic scripted model: replays a script of replies keyed by agent and step (or turn).

Script format (JSON; the HTTP server `python -m local_emulators.openai` reads the same shape)::

    {"agents": {
        "planner":    [{"content": "1. look up X; 2. write"}],
        "researcher": [{"tool_calls": [{"name": "search_notes", "arguments": {"query": "X"}}]},
                       {"content": "X is ..."}],
        "reviewer":   [{"structured": {"approved": true, "comments": "ok"}}],
        "*":          [{"error": {"status": 429, "retry_after": 0.1}}, {"content": "fallback"}]}}

A call that carries its step (`ModelRequest.step`: run, agent, index) is answered as a function of that step
(see `script_steps`): step *i* of an agent gets the *i*-th reply of its list (or of the `"*"` list when the
agent has none), scripted errors standing before the reply they delay; concurrent runs each replay their own
script and a step asked again gets the same answer. A call without a step takes the agent's next entry.

An entry holds `content`, `tool_calls`, `structured` (sent as JSON text), or `error` (an HTTP status to fail
with, and an optional `retry_after` in seconds); `usage` is optional and otherwise estimated by the rule of
`token_estimate` (the scripted server's rule too);
`delay` (seconds) holds the reply back, to exercise timeouts.
Asking past the end raises `ScriptExhaustedError`.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from switchboard.agent.declarative import Declarative
from switchboard.models.chat import ModelRequest, ModelResponse, ToolCall, Usage
from switchboard.models.errors import (
    ModelError,
    ModelRateLimitedError,
    ModelRequestRejectedError,
    ModelUnavailableError,
    ScriptExhaustedError,
    ScriptInvalidError,
)
from switchboard.models.retry import RetryPolicy, call_with_retries, log_retry
from switchboard.models.script_steps import ANY_AGENT, ScriptPlan
from switchboard.models.token_estimate import completion_text, estimate_tokens, prompt_text
from switchboard.models.usage import UsageLedger

__all__ = ["ANY_AGENT", "Script", "ScriptEntry", "ScriptedModelClient", "estimate_tokens"]


class ScriptedToolCall(BaseModel):
    """A tool call the script makes the model ask for."""

    model_config = ConfigDict(extra="forbid")
    name: str
    arguments: dict[str, Any] | str = Field(default_factory=dict)
    id: str | None = None


class ScriptedError(BaseModel):
    """A failure the script makes the model return."""

    model_config = ConfigDict(extra="forbid")
    status: int
    retry_after: float | None = None
    message: str = "scripted failure"


class ScriptEntry(BaseModel):
    """One scripted reply."""

    model_config = ConfigDict(extra="forbid")
    content: str | None = None
    tool_calls: list[ScriptedToolCall] = Field(default_factory=list)
    structured: dict[str, Any] | None = None
    error: ScriptedError | None = None
    usage: dict[str, int] | None = None
    delay: float = 0.0


class Script(BaseModel):
    """A whole script: replies per agent name (or `"*"` for any agent)."""

    model_config = ConfigDict(extra="forbid")
    agents: dict[str, list[ScriptEntry]]

    @classmethod
    def load(cls, path: Path) -> Script:
        """Read and validate a script file.

        Raises:
            ScriptInvalidError: The file is not JSON of the documented shape.
        """
        try:
            return cls.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValidationError) as error:
            raise ScriptInvalidError(f"cannot load model script {path}: {error}") from error


class ScriptedModelClient(Declarative):
    """A `ModelClient` that answers from a `Script` and records every request it saw."""

    def __init__(self, script: Script, *, model_name: str = "scripted", retry: RetryPolicy | None = None):
        """Replay `script`; scripted transient errors are retried by `retry` (no waiting by default)."""
        self._script = script
        self._model_name = model_name
        self._retry = retry or RetryPolicy(max_attempts=4, base_delay=0.0, max_delay=0.0)
        self._plan = ScriptPlan(
            {agent: [e.error is not None for e in entries] for agent, entries in script.agents.items()}
        )
        self.requests: list[ModelRequest] = []
        self.usage = UsageLedger()

    @classmethod
    def from_file(cls, path: Path) -> ScriptedModelClient:
        """Load the script at `path`."""
        return cls(Script.load(path))

    @property
    def model_name(self) -> str:
        """The name reported in responses."""
        return self._model_name

    def turns_taken(self, agent: str) -> int:
        """How many scripted replies `agent` has consumed through calls without a step."""
        return self._plan.turns_taken(agent)

    def requests_for(self, run_id: str, agent: str, index: int) -> int:
        """How often the step (`run_id`, `agent`, `index`) was requested, retries and replays included."""
        return self._plan.requests_for(run_id, agent, index)

    async def create(self, request: ModelRequest) -> ModelResponse:
        """Answer with the scripted reply for `request.step`, or the next one for `request.agent` without a step.

        Raises:
            ScriptExhaustedError: The agent has no scripted reply left.
            ModelError: The scripted reply is an error.
        """
        response = await call_with_retries(lambda: self._replay(request), self._retry, on_retry=log_retry)
        self.usage.record(request.agent, response.usage, self.model_name)
        return response

    async def _replay(self, request: ModelRequest) -> ModelResponse:
        self.requests.append(request)
        agent = request.step.agent if request.step is not None else request.agent
        key = self._plan.key_for(agent)
        entries = self._script.agents.get(key, [])
        turn = self._plan.next_position(agent, request.step)
        if turn is None:
            where = f"step {request.step.index} of run {request.step.run_id}" if request.step else "a next turn"
            raise ScriptExhaustedError(
                f"model script has no reply for {where} of agent {agent!r} (it holds {len(entries)} entries)"
            )
        entry = entries[turn]
        if entry.delay > 0:
            await asyncio.sleep(entry.delay)
        if entry.error is not None:
            raise _scripted_error(entry.error)
        return _to_response(entry, request, self._model_name, turn)

    async def close(self) -> None:
        """Nothing to release."""


def _scripted_error(error: ScriptedError) -> ModelError:
    if error.status == 429:
        return ModelRateLimitedError(error.message, retry_after=error.retry_after)
    if error.status >= 500:
        return ModelUnavailableError(error.message, retry_after=error.retry_after)
    return ModelRequestRejectedError(error.message)


def _to_response(entry: ScriptEntry, request: ModelRequest, model: str, turn: int) -> ModelResponse:
    content = json.dumps(entry.structured) if entry.structured is not None else entry.content
    calls = tuple(
        ToolCall(
            id=call.id or f"call_{request.agent}_{turn}_{index}",
            name=call.name,
            arguments=call.arguments if isinstance(call.arguments, str) else json.dumps(call.arguments),
        )
        for index, call in enumerate(entry.tool_calls)
    )
    if entry.usage is not None:
        usage = Usage(
            prompt_tokens=entry.usage.get("prompt_tokens", 0),
            completion_tokens=entry.usage.get("completion_tokens", 0),
        )
    else:
        # The scripted server applies the same rule (`token_estimate`), so both report the same counts.
        usage = Usage(
            prompt_tokens=estimate_tokens(prompt_text(request.messages)),
            completion_tokens=estimate_tokens(completion_text(content, calls)),
        )
    return ModelResponse(
        content=content,
        tool_calls=calls,
        finish_reason="tool_calls" if calls else "stop",
        usage=usage,
        model=model,
    )
