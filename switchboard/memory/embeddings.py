"""The `EmbeddingClient` protocol, and which embedding model the settings choose.

Precedence: Azure OpenAI (`AZURE_OPENAI_ENDPOINT` + `AZURE_OPENAI_EMBEDDING_DEPLOYMENT`, Entra ID unless
`AZURE_OPENAI_API_KEY` is set), then OpenAI or an OpenAI-compatible `/v1` server (`OPENAI_EMBEDDING_MODEL` with
`OPENAI_API_KEY` and/or `OPENAI_BASE_URL`), else the embedded offline model (all-MiniLM-L6-v2, 384 dimensions).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from switchboard.memory.errors import MemoryInputError
from switchboard.models.settings import ModelEndpoint


@runtime_checkable
class EmbeddingClient(Protocol):
    """Turns texts into vectors of a fixed size.

    Attributes:
        model_name: The model (or Azure deployment) that embeds.
        dimensions: The length of every vector it returns.
    """

    model_name: str
    dimensions: int

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order.

        Raises:
            MemoryInputError: A text is empty.
            MemoryStoreError: The model failed (a `TransientError` subtype when a retry may help).
        """
        ...


class EmbeddingSettings(BaseSettings):
    """Embedding settings from the environment (the chat model's endpoint and key settings are shared)."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    azure_openai_endpoint: str | None = None
    azure_openai_api_key: SecretStr | None = None
    azure_openai_embedding_deployment: str | None = None
    openai_api_version: str = "2024-10-21"
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_embedding_model: str | None = None
    switchboard_embedding_dimensions: int | None = None
    switchboard_model_timeout: float = 60.0
    switchboard_model_max_attempts: int = 4

    def endpoint(self) -> ModelEndpoint | None:
        """The remote embedding endpoint these settings name, or None for the embedded offline model."""
        common = {"timeout": self.switchboard_model_timeout, "max_attempts": self.switchboard_model_max_attempts}
        if self.azure_openai_endpoint and self.azure_openai_embedding_deployment:
            return ModelEndpoint(
                kind="azure",
                model=self.azure_openai_embedding_deployment,
                base_url=self.azure_openai_endpoint,
                api_key=self.azure_openai_api_key,
                api_version=self.openai_api_version,
                **common,  # type: ignore[arg-type]
            )
        if self.openai_embedding_model:
            return ModelEndpoint(
                kind="compatible" if self.openai_base_url else "openai",
                model=self.openai_embedding_model,
                base_url=self.openai_base_url,
                api_key=self.openai_api_key,
                **common,  # type: ignore[arg-type]
            )
        return None


def embedding_client(settings: EmbeddingSettings | None = None) -> EmbeddingClient:
    """The embedding client the settings (default: the environment) describe; the offline model without any.

    Raises:
        MemoryInputError: `SWITCHBOARD_EMBEDDING_DIMENSIONS` is set for the offline model with another size.
    """
    settings = settings or EmbeddingSettings()
    endpoint = settings.endpoint()
    if endpoint is not None:
        # Imported here so an offline setup never loads the openai SDK.
        from switchboard.memory.openai_embeddings import OpenAIEmbeddingClient

        return OpenAIEmbeddingClient(endpoint, dimensions=settings.switchboard_embedding_dimensions)
    from switchboard.memory.minilm import DIMENSIONS, MiniLMEmbeddingClient

    wanted = settings.switchboard_embedding_dimensions
    if wanted is not None and wanted != DIMENSIONS:
        raise MemoryInputError(
            f"SWITCHBOARD_EMBEDDING_DIMENSIONS={wanted}, but the offline model embeds into {DIMENSIONS} dimensions"
        )
    return MiniLMEmbeddingClient()
