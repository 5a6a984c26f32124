"""Which embedding client the settings choose, and the offline model's input checks (no network, no weights)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from switchboard.memory import MemoryInputError
from switchboard.memory.embeddings import EmbeddingSettings, embedding_client
from switchboard.memory.minilm import MiniLMEmbeddingClient
from switchboard.memory.openai_embeddings import OpenAIEmbeddingClient


def test_azure_wins_then_openai_then_the_offline_model() -> None:
    azure = EmbeddingSettings(
        azure_openai_endpoint="https://x.openai.azure.com",
        azure_openai_embedding_deployment="emb",
        azure_openai_api_key=SecretStr("k"),
        openai_embedding_model="text-embedding-3-small",
    ).endpoint()
    assert azure is not None
    assert (azure.kind, azure.model) == ("azure", "emb")
    openai = EmbeddingSettings(openai_embedding_model="text-embedding-3-small", openai_api_key=SecretStr("k"))
    assert openai.endpoint() is not None
    assert openai.endpoint().kind == "openai"  # type: ignore[union-attr]
    # An Azure endpoint without an embedding deployment is the chat model's: embeddings stay offline.
    assert EmbeddingSettings(azure_openai_endpoint="https://x.openai.azure.com").endpoint() is None
    assert isinstance(embedding_client(EmbeddingSettings()), MiniLMEmbeddingClient)
    client = embedding_client(
        EmbeddingSettings(
            openai_base_url="http://127.0.0.1:9/v1", openai_embedding_model="m", switchboard_embedding_dimensions=64
        )
    )
    assert isinstance(client, OpenAIEmbeddingClient)
    assert client.dimensions == 64


def test_the_offline_model_has_one_size_and_rejects_empty_texts() -> None:
    with pytest.raises(MemoryInputError, match="384 dimensions"):
        embedding_client(EmbeddingSettings(switchboard_embedding_dimensions=1536))
    model = MiniLMEmbeddingClient()
    with pytest.raises(MemoryInputError, match="text 1 to embed is empty"):
        model.embed_sync(["fine", "  "])
    with pytest.raises(MemoryInputError, match="not one string"):
        model.embed_sync("a string")
