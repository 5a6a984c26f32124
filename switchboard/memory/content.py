"""What a memory holds and returns, in AutoGen 0.7's shapes (`autogen_core.memory`).

`MemoryContent` is JSON all the way down (bytes travel as `{"__bytes__": "<base64>"}`), so query results can be
journaled as checkpointed steps, stored in Cosmos and shown in the transcript, and read back as they were.
"""

from __future__ import annotations

import base64
import enum
import json
from typing import Any

from pydantic import BaseModel, Field, field_serializer, field_validator


class MemoryMimeType(enum.Enum):
    """The MIME types AutoGen names for memory content (images are not supported here)."""

    TEXT = "text/plain"
    JSON = "application/json"
    MARKDOWN = "text/markdown"
    IMAGE = "image/*"
    BINARY = "application/octet-stream"


ContentType = str | bytes | dict[str, Any]
"""What a memory item holds: text, raw bytes, or a JSON object."""
BYTES_TAG = "__bytes__"
"""The key of the one-key object that carries bytes as base64 in JSON."""


class MemoryContent(BaseModel):
    """One memory item.

    Attributes:
        content: The text, bytes or JSON object remembered.
        mime_type: A `MemoryMimeType` or any MIME string.
        metadata: Free-form JSON values; a vector memory filters on them and adds `score` and `id` to results.
    """

    content: ContentType
    mime_type: MemoryMimeType | str
    metadata: dict[str, Any] | None = None

    @field_validator("content", mode="before")
    @classmethod
    def _from_wire(cls, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {BYTES_TAG} and isinstance(value[BYTES_TAG], str):
            return base64.b64decode(value[BYTES_TAG])
        return value

    @field_serializer("content", when_used="json")
    def _to_wire(self, content: ContentType) -> Any:
        return {BYTES_TAG: base64.b64encode(content).decode()} if isinstance(content, bytes) else content

    @field_serializer("mime_type")
    def _mime(self, mime_type: MemoryMimeType | str) -> str:
        return mime_type.value if isinstance(mime_type, MemoryMimeType) else mime_type

    @property
    def mime(self) -> str:
        """The MIME type as a string."""
        return self.mime_type.value if isinstance(self.mime_type, MemoryMimeType) else self.mime_type

    def as_text(self) -> str:
        """The content as text: what gets embedded and what the model reads.

        JSON objects are written compactly with sorted keys; bytes are decoded as UTF-8 (undecodable bytes are
        replaced, since binary content has no meaningful text anyway).
        """
        if isinstance(self.content, str):
            return self.content
        if isinstance(self.content, bytes):
            return self.content.decode("utf-8", errors="replace")
        return json.dumps(self.content, sort_keys=True, ensure_ascii=False)


class MemoryQueryResult(BaseModel):
    """What `Memory.query` returns, most relevant first for ranked memories."""

    results: list[MemoryContent] = Field(default_factory=list)


class UpdateContextResult(BaseModel):
    """What `Memory.update_context` returns: the memories it put into the context."""

    memories: MemoryQueryResult
