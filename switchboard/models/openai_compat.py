"""AutoGen's model-client names on our OpenAI adapter: `OpenAIChatCompletionClient` and its Azure twin.

`autogen_ext.models.openai` builds its clients from keyword arguments (`model=`, `api_key=`, `base_url=`, Azure's
`azure_endpoint=`, `azure_deployment=`, `api_version=`); these subclasses take the same ones and resolve them into
a `ModelEndpoint`, so a script keeps its client line and only its import changes. Like the `openai` SDK, a
missing key or base URL is read from `OPENAI_API_KEY` / `OPENAI_BASE_URL` (Azure: `AZURE_OPENAI_API_KEY`).
"""

from __future__ import annotations

import os

from pydantic import SecretStr

from switchboard.models.openai_client import OpenAIChatClient
from switchboard.models.settings import ModelEndpoint


class OpenAIChatCompletionClient(OpenAIChatClient):
    """OpenAI or any OpenAI-compatible `/v1` server, built as AutoGen's client of the same name is.

    Example:
        >>> client = OpenAIChatCompletionClient(model="gpt-4o", base_url="http://127.0.0.1:8089/v1", api_key="x")
    """

    def __init__(
        self,
        *,
        model: str,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> None:
        """Resolve AutoGen's keyword arguments into an endpoint (no network traffic until the first call)."""
        key = api_key or os.environ.get("OPENAI_API_KEY")
        url = base_url or os.environ.get("OPENAI_BASE_URL")
        super().__init__(
            ModelEndpoint(
                kind="compatible" if url else "openai",
                model=model,
                base_url=url,
                api_key=SecretStr(key) if key else None,
                timeout=timeout or 60.0,
                max_attempts=(max_retries or 3) + 1,
                temperature=temperature,
                max_tokens=max_tokens,
            )
        )


class AzureOpenAIChatCompletionClient(OpenAIChatClient):
    """An Azure OpenAI deployment, built as AutoGen's client of the same name is (key, else Entra ID)."""

    def __init__(
        self,
        *,
        model: str,
        azure_endpoint: str,
        azure_deployment: str | None = None,
        api_version: str = "2024-10-21",
        api_key: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> None:
        """Resolve AutoGen's keyword arguments; without a key the client signs in with Entra ID."""
        key = api_key or os.environ.get("AZURE_OPENAI_API_KEY")
        super().__init__(
            ModelEndpoint(
                kind="azure",
                model=azure_deployment or model,
                base_url=azure_endpoint,
                api_key=SecretStr(key) if key else None,
                api_version=api_version,
                timeout=timeout or 60.0,
                max_attempts=(max_retries or 3) + 1,
            )
        )
