"""The embeddings adapter on the `openai` SDK: Azure OpenAI (Entra ID or key), OpenAI, any `/v1` server.

Failures map to the memory component's typed errors (throttling and outages are transient, a rejected request
is permanent) after the same retry policy the chat client uses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import openai
from openai import AsyncAzureOpenAI, AsyncOpenAI

from switchboard.memory.errors import MemoryInputError, MemoryUnavailableError
from switchboard.models.errors import (
    ModelError,
    ModelRateLimitedError,
    ModelRequestRejectedError,
    ModelUnavailableError,
)
from switchboard.models.retry import RetryPolicy, call_with_retries, log_retry
from switchboard.models.settings import ModelEndpoint

_AZURE_SCOPE = "https://cognitiveservices.azure.com/.default"
MAX_BATCH = 2048
"""OpenAI's limit on inputs per embeddings request; longer lists are sent in batches."""


class OpenAIEmbeddingClient:
    """An `EmbeddingClient` over the OpenAI SDK's embeddings API."""

    def __init__(self, endpoint: ModelEndpoint, *, dimensions: int | None = None) -> None:
        """Build the SDK client (no traffic until the first call).

        Args:
            endpoint: Where to call; `model` is the embedding model or Azure deployment.
            dimensions: Ask for vectors of this size (text-embedding-3 models); None keeps the model's own size,
                learnt from the first reply.
        """
        self._endpoint = endpoint
        self._requested = dimensions
        self._retry = RetryPolicy(max_attempts=endpoint.max_attempts)
        self._credential: Any = None
        self._sdk = self._build_sdk(endpoint)
        self.model_name = endpoint.model
        self.dimensions = dimensions or 0

    def _build_sdk(self, endpoint: ModelEndpoint) -> AsyncOpenAI:
        key = endpoint.api_key.get_secret_value() if endpoint.api_key else None
        if endpoint.kind == "azure":
            if key:
                return AsyncAzureOpenAI(
                    azure_endpoint=endpoint.base_url or "", api_key=key, api_version=endpoint.api_version, max_retries=0
                )
            from azure.identity.aio import DefaultAzureCredential, get_bearer_token_provider

            self._credential = DefaultAzureCredential()
            return AsyncAzureOpenAI(
                azure_endpoint=endpoint.base_url or "",
                azure_ad_token_provider=get_bearer_token_provider(self._credential, _AZURE_SCOPE),
                api_version=endpoint.api_version,
                max_retries=0,
            )
        return AsyncOpenAI(base_url=endpoint.base_url, api_key=key or "not-needed", max_retries=0)

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order.

        Raises:
            MemoryInputError: A text is empty, or the endpoint rejected the request.
            MemoryUnavailableError: The endpoint throttled or failed after retries.
        """
        if isinstance(texts, str):
            raise MemoryInputError("embed() takes a sequence of texts, not one string")
        for i, text in enumerate(texts):
            if not text.strip():
                raise MemoryInputError(f"text {i} to embed is empty")
        vectors: list[list[float]] = []
        for start in range(0, len(texts), MAX_BATCH):
            batch = list(texts[start : start + MAX_BATCH])
            try:
                vectors += await call_with_retries(lambda b=batch: self._attempt(b), self._retry, on_retry=log_retry)  # type: ignore[misc]
            except (ModelRateLimitedError, ModelUnavailableError) as error:
                raise MemoryUnavailableError(f"embedding model {self.model_name!r}: {error.reason}") from error
            except ModelError as error:
                raise MemoryInputError(f"embedding model {self.model_name!r}: {error.reason}") from error
        if vectors and not self.dimensions:
            self.dimensions = len(vectors[0])
        return vectors

    async def _attempt(self, batch: list[str]) -> list[list[float]]:
        params: dict[str, Any] = {"model": self._endpoint.model, "input": batch, "encoding_format": "float"}
        if self._requested:
            params["dimensions"] = self._requested
        timeout = self._endpoint.timeout
        try:
            reply = await asyncio.wait_for(self._sdk.embeddings.create(**params, timeout=timeout), timeout + 1.0)
        except (TimeoutError, openai.APITimeoutError) as error:
            raise ModelUnavailableError(f"embeddings call exceeded {timeout:.0f}s") from error
        except openai.APIConnectionError as error:
            raise ModelUnavailableError(f"cannot reach the embeddings endpoint: {type(error).__name__}") from error
        except openai.APIStatusError as error:
            raise _status_error(error) from error
        ordered = sorted(reply.data, key=lambda item: item.index)
        return [list(item.embedding) for item in ordered]

    async def close(self) -> None:
        """Close the SDK client and the Entra ID credential."""
        await self._sdk.close()
        if self._credential is not None:
            await self._credential.close()


def _status_error(error: openai.APIStatusError) -> ModelError:
    status = error.status_code
    if status == 429:
        return ModelRateLimitedError("embeddings endpoint throttled the call (HTTP 429)")
    if status >= 500 or status == 408:
        return ModelUnavailableError(f"embeddings endpoint failed (HTTP {status})")
    body = error.body
    detail = body.get("message") if isinstance(body, dict) else None
    text = str(detail)[:300] if detail else error.message[:300]
    return ModelRequestRejectedError(f"embeddings endpoint rejected the request (HTTP {status}): {text}")
