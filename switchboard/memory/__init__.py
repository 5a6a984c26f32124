"""Memory that agents consult before each model call (AutoGen 0.7's protocol), and the embeddings it uses.

`CosmosVectorMemory`, `MiniLMEmbeddingClient` and `OpenAIEmbeddingClient` are loaded on
first use, so importing this package loads no Azure or OpenAI SDK and no model weights.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from switchboard.memory.content import (
    ContentType,
    MemoryContent,
    MemoryMimeType,
    MemoryQueryResult,
    UpdateContextResult,
)
from switchboard.memory.embeddings import EmbeddingClient, EmbeddingSettings, embedding_client
from switchboard.memory.errors import (
    EmbeddingModelError,
    MemoryInputError,
    MemoryNotFoundError,
    MemoryStoreError,
    MemoryUnavailableError,
)
from switchboard.memory.list_memory import ListMemory
from switchboard.memory.protocol import ChatBuffer, ChatContext, Memory
from switchboard.memory.vector_policy import CosmosMemoryConfig, scope_key

if TYPE_CHECKING:
    from switchboard.memory.cosmos import CosmosVectorMemory
    from switchboard.memory.minilm import MiniLMEmbeddingClient
    from switchboard.memory.openai_embeddings import OpenAIEmbeddingClient

_LAZY = {
    "CosmosVectorMemory": "switchboard.memory.cosmos",
    "MiniLMEmbeddingClient": "switchboard.memory.minilm",
    "OpenAIEmbeddingClient": "switchboard.memory.openai_embeddings",
}

__all__ = [
    "ChatBuffer",
    "ChatContext",
    "ContentType",
    "CosmosMemoryConfig",
    "CosmosVectorMemory",
    "EmbeddingClient",
    "EmbeddingModelError",
    "EmbeddingSettings",
    "ListMemory",
    "Memory",
    "MemoryContent",
    "MemoryInputError",
    "MemoryMimeType",
    "MemoryNotFoundError",
    "MemoryQueryResult",
    "MemoryStoreError",
    "MemoryUnavailableError",
    "MiniLMEmbeddingClient",
    "OpenAIEmbeddingClient",
    "UpdateContextResult",
    "embedding_client",
    "scope_key",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'switchboard.memory' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
