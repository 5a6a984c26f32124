"""Errors raised by model clients; the type says whether a retry can help (hosts never read the text)."""

from __future__ import annotations

from switchboard.errors import PermanentError, SwitchboardError, TransientError


class ModelError(SwitchboardError):
    """Root of every model-client error."""


class ModelTransientError(ModelError, TransientError):
    """The model endpoint had trouble that may pass (5xx, timeout, connection reset)."""


class ModelRateLimitedError(ModelTransientError):
    """The endpoint throttled us (HTTP 429).

    Attributes:
        retry_after: Seconds the server asked us to wait, when it said.
    """

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason, retry_after=retry_after)


class ModelTimeoutError(ModelTransientError):
    """One call took longer than its per-call timeout."""


class ModelUnavailableError(ModelTransientError):
    """The endpoint answered 5xx or could not be reached."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason, retry_after=retry_after)


class ModelNotConfiguredError(ModelError, PermanentError):
    """No model endpoint is configured, or the configured one is incomplete."""


class ModelRequestRejectedError(ModelError, PermanentError):
    """The endpoint refused the request itself (4xx other than 429): retrying the same request cannot help."""


class ScriptExhaustedError(ModelError, PermanentError):
    """A scripted model was asked for more turns than its script holds."""


class ScriptInvalidError(ModelError, PermanentError):
    """A model script file does not have the documented shape."""


class StructuredOutputError(ModelError, PermanentError):
    """The model's reply did not parse into the requested output type."""


class LocalModelUnavailableError(ModelError, PermanentError):
    """The embedded local model is not installed or its server did not start."""
