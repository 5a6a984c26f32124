"""The scripted model's state, with no sockets: the script, each agent's turn counter, the requests seen."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_emulators.openai.errors import BadRequestError, ScriptExhaustedError, ScriptInvalidError

ANY_AGENT = "*"
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
    agents = data.get("agents") if isinstance(data, dict) else None
    if not isinstance(agents, dict):
        raise ScriptInvalidError(f"script {path} must be an object with an 'agents' object")
    for name, entries in agents.items():
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ScriptInvalidError(f"script {path}: agent {name!r} must map to a list of objects")
        for entry in entries:
            unknown = set(entry) - _ENTRY_KEYS
            if unknown:
                raise ScriptInvalidError(f"script {path}: agent {name!r} entry has unknown keys {sorted(unknown)}")
    return agents


class ScriptBackend:
    """Replays a script; thread-safe because the HTTP server handles requests on threads."""

    def __init__(self, agents: dict[str, list[dict[str, Any]]], model: str = "scripted") -> None:
        """Serve `agents` (the script's `agents` object)."""
        self._agents = agents
        self._model = model
        self._turns: dict[str, int] = {}
        self._lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []

    @property
    def model(self) -> str:
        """The model id the server reports."""
        return self._model

    def complete(self, agent: str, body: dict[str, Any]) -> dict[str, Any] | ScriptedFailure:
        """Record one chat request and return the next scripted reply (a completion body or a failure).

        Raises:
            BadRequestError: The body has no `messages` list.
            ScriptExhaustedError: No reply left for `agent`.
        """
        if not isinstance(body.get("messages"), list):
            raise BadRequestError("request body needs a 'messages' list")
        with self._lock:
            self.requests.append({"agent": agent, "body": body})
            key = agent if agent in self._agents else ANY_AGENT
            entries = self._agents.get(key, [])
            turn = self._turns.get(key, 0)
            if turn >= len(entries):
                raise ScriptExhaustedError(f"script has no turn {turn} for agent {agent!r} (it holds {len(entries)})")
            self._turns[key] = turn + 1
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
            "prompt_tokens": _estimate(json.dumps(body.get("messages"))),
            "completion_tokens": _estimate((content or "") + json.dumps(calls) if calls else content or ""),
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


def _estimate(text: str) -> int:
    return max(1, (len(text) + 3) // 4) if text else 0
