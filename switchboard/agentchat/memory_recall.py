"""How an `AssistantAgent` consults its memories before each turn's model calls.

Each memory's `update_context` runs on a scratch copy of the conversation, as a checkpointed step, so a
redelivered turn replays what was recalled instead of querying again. What it adds is shown to the model for
this turn only: the recall is folded into the system message and never enters the persisted history, so the
next turn's recall replaces it (AutoGen instead appends it to the model context, where recalls pile up).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, Field

from switchboard.agent import AgentContext, CancellationToken
from switchboard.memory.content import MemoryContent
from switchboard.memory.event import MemoryQueryEvent
from switchboard.memory.protocol import ChatBuffer, Memory
from switchboard.models.chat import ChatMessage, SystemMessage
from switchboard.protocol.transcript import TranscriptEntry


class _Recalled(BaseModel):
    """One memory's contribution to one turn, as journaled."""

    messages: list[Annotated[ChatMessage, Field(discriminator="role")]] = Field(default_factory=list)
    results: list[MemoryContent] = Field(default_factory=list)


@dataclass
class Recall:
    """What a turn's memories contributed: messages for the model, events for the transcript."""

    messages: list[ChatMessage] = field(default_factory=list)
    events: list[MemoryQueryEvent] = field(default_factory=list)

    def context(self, system_message: str, window: Sequence[ChatMessage]) -> list[ChatMessage]:
        """The model's messages: the system message (with recalled system text appended), the window, the rest.

        Folding recalled system text into the one leading system message keeps chat templates that accept a
        single system message at the start (llama.cpp's, for one) working.
        """
        system = [system_message, *(m.content for m in self.messages if isinstance(m, SystemMessage))]
        others = [m for m in self.messages if not isinstance(m, SystemMessage)]
        return [SystemMessage(content="\n".join(system)), *window, *others]

    def record(self, entry: TranscriptEntry) -> TranscriptEntry:
        """`entry` with this turn's memory events (unchanged when nothing was recalled)."""
        if not self.events:
            return entry
        return entry.model_copy(update={"memory": tuple(self.events)})


async def recall(
    memories: Sequence[Memory],
    history: Sequence[ChatMessage],
    *,
    agent: str,
    ctx: AgentContext[Any] | None,
    cancellation: CancellationToken,
) -> Recall:
    """Ask each memory to update a scratch copy of `history`; checkpointed when `ctx` is given.

    Raises:
        CancelledError: The run was cancelled (checked before each memory).
        MemoryStoreError: A memory failed (transient ones are retried by the broker).
    """
    found = Recall()
    for memory in memories:
        cancellation.raise_if_cancelled()

        async def update(memory: Memory = memory) -> _Recalled:
            scratch = ChatBuffer(history)
            result = await memory.update_context(scratch)
            return _Recalled(messages=scratch.messages[len(history) :], results=result.memories.results)

        if ctx is None:
            recalled = await update()
        else:
            recalled = await ctx.checkpoint(
                "memory", update, encode=lambda r: r.model_dump(mode="json"), decode=_Recalled.model_validate
            )
        found.messages.extend(recalled.messages)
        if recalled.results:
            found.events.append(MemoryQueryEvent(source=agent, memory=memory.name, content=tuple(recalled.results)))
    return found


async def close_memories(agents: Sequence[object]) -> None:
    """Close every memory the `agents` hold (each once), e.g. when a process that built a team is done with it."""
    seen: set[int] = set()
    for agent in agents:
        for memory in getattr(agent, "memory", None) or ():
            if id(memory) not in seen:
                seen.add(id(memory))
                await memory.close()
