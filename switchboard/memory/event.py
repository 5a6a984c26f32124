"""`MemoryQueryEvent`: what an agent recalled before a model call, as its transcript entry records it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from switchboard.memory.content import MemoryContent


class MemoryQueryEvent(BaseModel):
    """The memories one memory returned for one turn (AutoGen's `MemoryQueryEvent`, plus the memory's name).

    Attributes:
        source: The agent that queried.
        memory: The memory's name.
        content: The recalled items, most relevant first (with `score` and `id` metadata for vector memories).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    memory: str
    content: tuple[MemoryContent, ...] = ()
