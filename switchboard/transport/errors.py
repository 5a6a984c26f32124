"""Service Bus failures as Switchboard errors, decided by the SDK's exception type (never its text)."""

from __future__ import annotations

from azure.servicebus.exceptions import (
    MessageSizeExceededError,
    MessagingEntityDisabledError,
    MessagingEntityNotFoundError,
    ServiceBusAuthenticationError,
    ServiceBusAuthorizationError,
    ServiceBusError,
    ServiceBusServerBusyError,
)

from switchboard.errors import PermanentError, SwitchboardError, TransientError


class BusUnavailableError(TransientError):
    """Service Bus could not take the message right now (connection, timeout, throttling); a retry may succeed."""


class BusBusyError(BusUnavailableError):
    """Service Bus answered server-busy: the namespace is throttling; wait `SERVER_BUSY_SECONDS` before retrying."""


SERVER_BUSY_SECONDS = 10.0
"""How long to back off after server-busy: Service Bus gives no hint, and Microsoft's guidance is ten seconds."""


class BusConfigurationError(PermanentError):
    """Service Bus refused the message for a reason no retry fixes: a missing entity, no rights, too large."""


class EntityNotFoundError(BusConfigurationError):
    """The namespace has no such queue or topic: its entities are older than the registry."""


ENTITY_FIX = (
    "the namespace lacks entities the registry needs: write them with `switchboard infra entities --write` "
    "(infra/entities.json), then restart `python -m local_emulators up`, or redeploy (azd up)"
)
"""What fixes a missing entity; every `EntityNotFoundError` reason ends with it."""

_PERMANENT: tuple[type[ServiceBusError], ...] = (
    MessagingEntityNotFoundError,
    MessagingEntityDisabledError,
    MessageSizeExceededError,
    ServiceBusAuthenticationError,
    ServiceBusAuthorizationError,
)


def bus_error(error: ServiceBusError, action: str) -> SwitchboardError:
    """Translate an SDK error into the Switchboard error a host knows how to settle.

    Args:
        error: What the SDK raised.
        action: What was attempted, for the reason (e.g. `send to queue 'writer'`).

    Returns:
        An `EntityNotFoundError` (naming the fix) for a missing entity, a `BusConfigurationError` for other faults
        of the setup, a `BusBusyError` (with its back-off hint) for server-busy, else a `BusUnavailableError`.
    """
    reason = f"{action}: {type(error).__name__}: {error}"
    if isinstance(error, MessagingEntityNotFoundError):
        return EntityNotFoundError(f"{reason} — {ENTITY_FIX}")
    if isinstance(error, _PERMANENT):
        return BusConfigurationError(reason)
    if isinstance(error, ServiceBusServerBusyError):
        return BusBusyError(reason, retry_after=SERVER_BUSY_SECONDS)
    return BusUnavailableError(reason)
