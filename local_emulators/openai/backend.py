"""The scripted model's state, with no sockets: the script, which entry answers which step, the requests seen."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_emulators.openai.errors import BadRequestError, ScriptExhaustedError, ScriptInvalidError
from local_emulators.openai.steps import ScriptPlan, Step
from local_emulators.openai.token_estimate import completion_tokens, prompt_tokens

_ENTRY_KEYS = {"content", "tool_calls", "structured", "error", "usage", "delay"}


@dataclass(frozen=True)
class ScriptedFailure:
    """A scripted HTTP error reply."""

    status: int
    message: str
    retry_after: float | None


def load_script(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Read a script file and check its shape: `{"agents": {name: [entry, ...]}}`.

    Raises:
        ScriptInvalidError: Unreadable file, bad JSON, or an entry with unknown keys.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ScriptInvalidError(f"cannot read script {path}: {error}") from error
    return check_script(data, str(path))


def check_script(data: object, origin: str = "script") -> dict[str, list[dict[str, Any]]]:
    """Check a parsed script's shape and return its `agents` object.

    Raises:
        ScriptInvalidError: Not `{"agents": {name: [entry, ...]}}`, or an entry with unknown keys.
    """
    agents = data.get("agents") if isinstance(data, dict) else None
    if not isinstance(agents, dict):
        raise ScriptInvalidError(f"{origin} must be an object with an 'agents' object")
    for name, entries in agents.items():
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ScriptInvalidError(f"{origin}: agent {name!r} must map to a list of objects")
        for entry in entries:
            unknown = set(entry) - _ENTRY_KEYS
            if unknown:
                raise ScriptInvalidError(f"{origin}: agent {name!r} entry has unknown keys {sorted(unknown)}")
    return agents


class ScriptBackend:
    """Replays a script; thread-safe because the HTTP server handles requests on threads."""

    def __init__(self, agents: dict[str, list[dict[str, Any]]], model: str = "scripted") -> None:
        """Serve `agents` (the script's `agents` object)."""
        self._model = model
        self._lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self._load(agents)

    def _load(self, agents: dict[str, list[dict[str, Any]]]) -> None:
        self._agents = agents
        self._plan = ScriptPlan(
            {name: [isinstance(e.get("error"), dict) for e in entries] for name, entries in agents.items()}
        )

    @property
    def model(self) -> str:
        """The model id the server reports."""
        return self._model

    def reset(self, agents: dict[str, list[dict[str, Any]]] | None = None) -> None:
        """Forget the requests seen and every counter; serve `agents` from now on when given."""
        with self._lock:
            self.requests.clear()
            if agents is not None:
                self._load(agents)
            else:
                self._plan.reset()

    def step_counts(self) -> list[dict[str, Any]]:
        """Every step requested so far with how often (retries and replays included), in a stable order."""
        counts = self._plan.step_counts()
        return [
            {"run_id": run_id, "agent": agent, "index": index, "count": counts[(run_id, agent, index)]}
            for run_id, agent, index in sorted(counts)
        ]

    def complete(self, agent: str, body: dict[str, Any], step: Step | None = None) -> dict[str, Any] | ScriptedFailure:
        """Record one chat request and return the scripted reply (a completion body or a failure).

        With a `step` the reply is the one for that step (the same on every repeat); without, the agent's next.

        Raises:
            BadRequestError: The body has no `messages` list.
            ScriptExhaustedError: No reply left for `agent` (or none for that step).
        """
        if not isinstance(body.get("messages"), list):
            raise BadRequestError("request body needs a 'messages' list")
        with self._lock:
            # `at` lets a crash test tell a step re-asked after a host kill from one asked twice without cause.
            seen: dict[str, Any] = {"agent": agent, "body": body, "at": time.time()}
            if step is not None:
                seen.update(run_id=step.run_id, index=step.index)
            self.requests.append(seen)
            plan, agents = self._plan, self._agents
        entries = agents.get(plan.key_for(agent), [])
        turn = plan.next_position(agent, step)
        if turn is None:
            where = f"step {step.index} of run {step.run_id}" if step is not None else "a next turn"
            raise ScriptExhaustedError(f"script has no reply for {where} of agent {agent!r} (it holds {len(entries)})")
        entry = entries[turn]
        delay = entry.get("delay")
        if isinstance(delay, int | float) and delay > 0:
            # Lets tests exercise client timeouts; each request has its own thread.
            time.sleep(float(delay))
        error = entry.get("error")
        if isinstance(error, dict):
            retry_after = error.get("retry_after")
            return ScriptedFailure(
                status=int(error.get("status", 500)),
                message=str(error.get("message", "scripted failure")),
                retry_after=float(retry_after) if retry_after is not None else None,
            )
        return self._completion(entry, body, agent, turn)

    def _completion(self, entry: dict[str, Any], body: dict[str, Any], agent: str, turn: int) -> dict[str, Any]:
        structured = entry.get("structured")
        content = json.dumps(structured) if structured is not None else entry.get("content")
        calls = [
            {
                "id": call.get("id") or f"call_{agent}_{turn}_{index}",
                "type": "function",
                "function": {
                    "name": call["name"],
                    "arguments": (
                        call["arguments"]
                        if isinstance(call.get("arguments"), str)
                        else json.dumps(call.get("arguments", {}))
                    ),
                },
            }
            for index, call in enumerate(entry.get("tool_calls", []))
        ]
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if calls:
            message["tool_calls"] = calls
        usage = entry.get("usage") or {
            "prompt_tokens": prompt_tokens(body.get("messages")),
            "completion_tokens": completion_tokens(content, calls),
        }
        usage = {**usage, "total_tokens": usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0)}
        return {
            "id": f"chatcmpl-{agent}-{turn}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self._model,
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}],
            "usage": usage,
        }
