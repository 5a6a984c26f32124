"""Errors of the management API beyond the emulator's own (404, 400 and 401 come from `errors`)."""

from __future__ import annotations

from local_emulators.servicebus.errors import ServiceBusEmulatorError


class EntityAlreadyExistsError(ServiceBusEmulatorError):
    """A create names an entity that exists (HTTP 409, the SDK's ResourceExistsError)."""

    condition = "com.microsoft:entity-already-exists"
    status = 409


class PayloadTooLargeError(ServiceBusEmulatorError):
    """A request body is larger than the management API accepts."""

    status = 413
