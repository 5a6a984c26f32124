"""Cosmos failures as Switchboard errors, decided by exception type and HTTP status code (never by text)."""

from __future__ import annotations

from azure.core.exceptions import AzureError, ServiceRequestError, ServiceResponseError
from azure.cosmos.exceptions import CosmosBatchOperationError, CosmosClientTimeoutError, CosmosHttpResponseError

from switchboard.errors import PermanentError, StateConflictError, SwitchboardError, TransientError

# 408 timeout, 410 gone (moved partition), 429 throttled, 449 retry-with, 500 and 503 unavailable: all may pass.
_TRANSIENT_STATUS = frozenset({408, 410, 429, 449, 500, 502, 503, 504})


class StoreUnavailableError(TransientError):
    """Cosmos could not serve the request right now (throttled, timed out, unreachable); a retry may succeed."""


class StoreRequestError(PermanentError):
    """Cosmos rejected the request for a reason no retry fixes (bad request, forbidden, too large, missing)."""


def status_error(status: int, reason: str) -> SwitchboardError:
    """The Switchboard error for an HTTP status of a request that is not an ETag or inbox check."""
    if status == 412:
        return StateConflictError(reason)
    if status in _TRANSIENT_STATUS:
        return StoreUnavailableError(reason)
    return StoreRequestError(reason)


def store_error(error: AzureError, action: str) -> SwitchboardError:
    """Translate an SDK error raised while doing `action`.

    Args:
        error: What azure-cosmos (or azure-core beneath it) raised.
        action: What was attempted, for the reason (never the item's content).

    Returns:
        `StateConflictError` for 412, `StoreUnavailableError` for throttling, timeouts and lost connections,
        `StoreRequestError` for everything else.
    """
    if isinstance(error, CosmosHttpResponseError | CosmosBatchOperationError):
        status = int(error.status_code or 0)
        return status_error(status, f"{action}: Cosmos answered {status}")
    if isinstance(error, CosmosClientTimeoutError | ServiceRequestError | ServiceResponseError):
        return StoreUnavailableError(f"{action}: {type(error).__name__}")
    return StoreRequestError(f"{action}: {type(error).__name__}")
