"""`DeferredModelClient`: a model client whose endpoint is resolved from settings on its first call.

A Function App builds its agents when the worker imports `function_app.py`, before app settings are known to be
complete (and a missing model setting must not stop the HTTP API from loading). The endpoint is therefore read on
the first model call, once per process, and the real client is reused afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from switchboard.models.chat import ModelRequest, ModelResponse
from switchboard.models.protocol import ModelClient

ClientFactory = Callable[[], ModelClient]


def settings_model_client() -> ModelClient:
    """Build the OpenAI-compatible client the model settings describe (Azure OpenAI, OpenAI or any `/v1`).

    Raises:
        ModelNotConfiguredError: No model setting is present.
    """
    from switchboard.models.openai_client import OpenAIChatClient
    from switchboard.models.settings import ModelSettings

    return OpenAIChatClient(ModelSettings().resolve())


class DeferredModelClient:
    """Resolves its real client on the first `create` and delegates every call to it."""

    def __init__(self, factory: ClientFactory = settings_model_client, *, name: str = "deferred") -> None:
        """Remember how to build the client; nothing is read or connected yet."""
        self._factory = factory
        self._name = name
        self._client: ModelClient | None = None
        self._lock = asyncio.Lock()

    @property
    def model_name(self) -> str:
        """The real client's model name once resolved, else a placeholder."""
        return self._client.model_name if self._client is not None else self._name

    async def create(self, request: ModelRequest) -> ModelResponse:
        """Run one chat completion on the resolved client."""
        return await (await self._resolved()).create(request)

    async def close(self) -> None:
        """Close the real client, if one was built."""
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def _resolved(self) -> ModelClient:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    self._client = self._factory()
        return self._client
