"""The memory component's errors: one root, typed so hosts decide retry or failure without reading text."""

from __future__ import annotations

from switchboard.errors import PermanentError, SwitchboardError, TransientError


class MemoryStoreError(SwitchboardError):
    """Root of every error a memory or an embedding client raises."""


class MemoryInputError(MemoryStoreError, PermanentError):
    """Bad input that no retry fixes: an empty query, a vector of the wrong dimension, unsupported content."""


class MemoryNotFoundError(MemoryStoreError, PermanentError):
    """The memory's database or container does not exist (and the memory was told not to create it)."""


class MemoryUnavailableError(MemoryStoreError, TransientError):
    """The store or the embedding model cannot be reached or throttled the call: a retry may succeed."""


class EmbeddingModelError(MemoryStoreError, PermanentError):
    """The embedded offline embedding model is not installed or its files are unreadable."""
