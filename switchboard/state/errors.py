"""Cosmos failures as Switchboard errors, decided by exception type and HTTP status code (never by text)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azure.core.exceptions import AzureError, ServiceRequestError, ServiceResponseError
from azure.cosmos.exceptions import CosmosBatchOperationError, CosmosClientTimeoutError, CosmosHttpResponseError

from switchboard.errors import PermanentError, StateConflictError, SwitchboardError, TransientError

RETRY_AFTER_HEADER = "x-ms-retry-after-ms"
"""The header on a throttled (429) Cosmos response: how many milliseconds to wait before retrying."""

# 408 timeout, 410 gone (moved partition), 429 throttled, 449 retry-with, 500 and 503 unavailable: all may pass.
_TRANSIENT_STATUS = frozenset({408, 410, 429, 449, 500, 502, 503, 504})


class StoreUnavailableError(TransientError):
    """Cosmos could not serve the request right now (throttled, timed out, unreachable); a retry may succeed."""


class StoreRequestError(PermanentError):
    """Cosmos rejected the request for a reason no retry fixes (bad request, forbidden, too large, missing)."""


def status_error(status: int, reason: str, *, retry_after: float | None = None) -> SwitchboardError:
    """The Switchboard error for an HTTP status of a request that is not an ETag or inbox check.

    Args:
        status: The HTTP status Cosmos answered.
        reason: What was attempted and what came back (never an item's content).
        retry_after: The seconds Cosmos asked us to wait (`retry_after_hint`), carried by a transient error.
    """
    if status == 412:
        return StateConflictError(reason)
    if status in _TRANSIENT_STATUS:
        return StoreUnavailableError(reason, retry_after=retry_after)
    return StoreRequestError(reason)


def retry_after_hint(headers: Mapping[str, Any] | None) -> float | None:
    """Seconds to wait from a Cosmos response's `x-ms-retry-after-ms` header; None without a readable one."""
    for name, value in (headers or {}).items():
        if str(name).lower() == RETRY_AFTER_HEADER:
            try:
                return max(float(value) / 1000.0, 0.0)
            except (TypeError, ValueError):
                return None
    return None


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
        return status_error(status, f"{action}: Cosmos answered {status}", retry_after=retry_after_hint(error.headers))
    if isinstance(error, CosmosClientTimeoutError | ServiceRequestError | ServiceResponseError):
        return StoreUnavailableError(f"{action}: {type(error).__name__}")
    return StoreRequestError(f"{action}: {type(error).__name__}")
