"""The `Memory` protocol (AutoGen 0.7's `autogen_core.memory.Memory`) and the chat context it updates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from switchboard.agent import CancellationToken
from switchboard.memory.content import MemoryContent, MemoryQueryResult, UpdateContextResult
from switchboard.models.chat import ChatMessage, SystemMessage

RECALL_HEADER = "\nRelevant memory content (in chronological order):\n"
"""How AutoGen's memories open the system message they add (kept verbatim so prompts carry over)."""


class ChatContext(Protocol):
    """The part of a model context a memory reads and extends (AutoGen's `ChatCompletionContext` methods)."""

    async def get_messages(self) -> list[ChatMessage]:
        """The messages the next model call would see, oldest first."""
        ...

    async def add_message(self, message: ChatMessage) -> None:
        """Append `message`."""
        ...


@runtime_checkable
class Memory(Protocol):
    """A store an agent consults before each model call.

    Attributes:
        name: Names the memory in transcript events and step journals.
    """

    name: str

    async def update_context(self, model_context: ChatContext) -> UpdateContextResult:
        """Query with the context's last message and add what is relevant as one system message."""
        ...

    async def query(
        self, query: str | MemoryContent, cancellation_token: CancellationToken | None = None, **kwargs: Any
    ) -> MemoryQueryResult:
        """Return the entries relevant to `query`, most relevant first."""
        ...

    async def add(self, content: MemoryContent, cancellation_token: CancellationToken | None = None) -> None:
        """Store `content`."""
        ...

    async def clear(self) -> None:
        """Forget every entry in this memory's scope."""
        ...

    async def close(self) -> None:
        """Release clients and connections."""
        ...


class ChatBuffer:
    """A plain list of messages that satisfies `ChatContext` (a scratch context for one model call)."""

    def __init__(self, messages: Sequence[ChatMessage] = ()) -> None:
        """Start with `messages`."""
        self.messages: list[ChatMessage] = list(messages)

    async def get_messages(self) -> list[ChatMessage]:
        """A copy of the messages."""
        return list(self.messages)

    async def add_message(self, message: ChatMessage) -> None:
        """Append `message`."""
        self.messages.append(message)


def recall_message(results: Sequence[MemoryContent]) -> SystemMessage:
    """The system message that shows `results` to the model, numbered in the order given."""
    lines = [f"{i}. {item.as_text()}" for i, item in enumerate(results, 1)]
    return SystemMessage(content=RECALL_HEADER + "\n".join(lines) + "\n")


def last_text(messages: Sequence[ChatMessage]) -> str:
    """The text of the newest message that has any: what a memory queries with."""
    for message in reversed(messages):
        content = getattr(message, "content", None)
        if isinstance(content, str) and content.strip():
            return content
    return ""


async def update_with_query(memory: Memory, model_context: ChatContext) -> UpdateContextResult:
    """`update_context` for a ranked memory: query with the last message, add the results as one system message."""
    query = last_text(await model_context.get_messages())
    if not query:
        return UpdateContextResult(memories=MemoryQueryResult())
    found = await memory.query(query)
    if found.results:
        await model_context.add_message(recall_message(found.results))
    return UpdateContextResult(memories=found)
