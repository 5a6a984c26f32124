"""The one interface agents use to talk to a chat model."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from switchboard.models.chat import ModelRequest, ModelResponse


@runtime_checkable
class ModelClient(Protocol):
    """A chat-completion model: hosted, local or scripted.

    Implementations retry transient failures themselves, enforce a per-call timeout, and report token usage
    on every response. They raise subclasses of `switchboard.models.errors.ModelError`.
    """

    @property
    def model_name(self) -> str:
        """The model (or deployment) name, for logs and usage accounting."""
        ...

    async def create(self, request: ModelRequest) -> ModelResponse:
        """Run one chat completion.

        Args:
            request: Messages, tools and output format for this call.

        Returns:
            The model's reply with token usage.
        """
        ...

    async def close(self) -> None:
        """Release connections; the client is unusable afterwards."""
        ...
