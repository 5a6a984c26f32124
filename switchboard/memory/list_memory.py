"""`ListMemory`: every entry, in the order added (AutoGen's `ListMemory`)."""

from __future__ import annotations

from typing import Any

from switchboard.agent import CancellationToken
from switchboard.agent.declarative import Declarative
from switchboard.memory.content import MemoryContent, MemoryQueryResult, UpdateContextResult
from switchboard.memory.protocol import ChatContext, recall_message


class ListMemory(Declarative):
    """A chronological list: `query` returns everything, `update_context` shows everything.

    It lives in the process, so it suits fixed facts given in code (preferences, rules); use
    `CosmosVectorMemory` for memory that outlives a run.

    Example:
        >>> memory = ListMemory(name="prefs")
        >>> await memory.add(MemoryContent(content="Answer in metric units", mime_type=MemoryMimeType.TEXT))
    """

    def __init__(self, name: str | None = None, memory_contents: list[MemoryContent] | None = None) -> None:
        """Start with `memory_contents` (kept by reference, as AutoGen does)."""
        self.name = name or "default_list_memory"
        self.content: list[MemoryContent] = memory_contents if memory_contents is not None else []

    async def update_context(self, model_context: ChatContext) -> UpdateContextResult:
        """Add every entry as one system message (nothing when empty)."""
        if self.content:
            await model_context.add_message(recall_message(self.content))
        return UpdateContextResult(memories=MemoryQueryResult(results=list(self.content)))

    async def query(
        self, query: str | MemoryContent = "", cancellation_token: CancellationToken | None = None, **kwargs: Any
    ) -> MemoryQueryResult:
        """Every entry, whatever the query."""
        return MemoryQueryResult(results=list(self.content))

    async def add(self, content: MemoryContent, cancellation_token: CancellationToken | None = None) -> None:
        """Append `content`."""
        self.content.append(content)

    async def clear(self) -> None:
        """Forget everything."""
        self.content = []

    async def close(self) -> None:
        """Nothing to release."""
