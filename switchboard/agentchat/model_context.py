"""Model contexts: which part of an agent's history goes into each model call.

The assistant keeps only what its context would send, so its persisted state stays bounded on long runs (and a
restored agent sends exactly what it would have sent). The system message is never part of the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from switchboard.agent.declarative import Declarative
from switchboard.errors import AgentDefinitionError
from switchboard.models.chat import AssistantMessage, ChatMessage, ToolResultMessage
from switchboard.models.scripted import estimate_tokens


class ModelContext(Protocol):
    """Chooses the messages of a history to send."""

    def window(self, history: Sequence[ChatMessage]) -> list[ChatMessage]:
        """Return the tail of `history` to send, oldest first."""
        ...


class UnboundedModelContext(Declarative):
    """Sends everything (fine for short runs and tests)."""

    def window(self, history: Sequence[ChatMessage]) -> list[ChatMessage]:
        """The whole history."""
        return list(history)


class BufferedModelContext(Declarative):
    """Sends the last `buffer_size` messages."""

    def __init__(self, buffer_size: int) -> None:
        """Keep at most `buffer_size` messages."""
        if buffer_size < 1:
            raise AgentDefinitionError("BufferedModelContext needs buffer_size >= 1")
        self.buffer_size = buffer_size

    def window(self, history: Sequence[ChatMessage]) -> list[ChatMessage]:
        """The last `buffer_size` messages."""
        return _drop_orphans(list(history)[-self.buffer_size :])


class TokenLimitedModelContext(Declarative):
    """Sends the longest tail of the history that fits in `token_limit` tokens (always at least the last one)."""

    def __init__(self, token_limit: int, count_tokens: Callable[[str], int] = estimate_tokens) -> None:
        """Fit the window in `token_limit` tokens as counted by `count_tokens`."""
        if token_limit < 1:
            raise AgentDefinitionError("TokenLimitedModelContext needs token_limit >= 1")
        self.token_limit = token_limit
        self.count_tokens = count_tokens

    def window(self, history: Sequence[ChatMessage]) -> list[ChatMessage]:
        """The newest messages whose token count sums to at most `token_limit`."""
        kept: list[ChatMessage] = []
        total = 0
        for message in reversed(history):
            cost = self._cost(message)
            if kept and total + cost > self.token_limit:
                break
            kept.append(message)
            total += cost
        return _drop_orphans(kept[::-1])

    def _cost(self, message: ChatMessage) -> int:
        text = getattr(message, "content", None) or ""
        if isinstance(message, AssistantMessage):
            text += "".join(call.name + call.arguments for call in message.tool_calls)
        # A few tokens of per-message overhead (role, separators), as chat formats add.
        return self.count_tokens(text) + 4


def _drop_orphans(window: list[ChatMessage]) -> list[ChatMessage]:
    # A tool result whose tool call fell out of the window would be rejected by the API.
    start = 0
    while start < len(window) and isinstance(window[start], ToolResultMessage):
        start += 1
    return window[start:]
