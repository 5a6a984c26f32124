"""Errors of the Service Bus emulator: one root, one subclass per behaviour.

The wire layer maps each error to what the SDKs understand by its *type* (the class attributes
``condition`` for AMQP error conditions and ``status`` for management status codes), never by
its message text.
"""

from __future__ import annotations


class ServiceBusEmulatorError(Exception):
    """Root of every error the Service Bus emulator raises."""

    condition = "amqp:internal-error"
    status = 500


class DecodeError(ServiceBusEmulatorError):
    """Bytes on the wire are not valid AMQP."""

    condition = "amqp:decode-error"
    status = 400


class FramingError(DecodeError):
    """A frame header is impossible (size beyond the limit, data offset outside the frame, wrong type)."""

    condition = "amqp:connection:framing-error"


class InvalidFieldError(ServiceBusEmulatorError):
    """A performative field holds a value of the wrong type or out of range."""

    condition = "amqp:invalid-field"
    status = 400


class ProtocolError(ServiceBusEmulatorError):
    """A peer broke the AMQP protocol (frame out of place, unknown handle, ...)."""

    condition = "amqp:not-allowed"
    status = 400


class UnauthorizedError(ServiceBusEmulatorError):
    """Missing, malformed, expired or wrongly signed credentials."""

    condition = "amqp:unauthorized-access"
    status = 401


class EntityNotFoundError(ServiceBusEmulatorError):
    """No queue, topic or subscription by that path."""

    condition = "amqp:not-found"
    status = 404


class MessageNotFoundError(ServiceBusEmulatorError):
    """No message with that sequence number (or it is not deferred)."""

    condition = "com.microsoft:message-not-found"
    status = 404


class ArgumentError(ServiceBusEmulatorError):
    """A request carries an invalid or missing argument."""

    condition = "com.microsoft:argument-error"
    status = 400


class NotAllowedError(ServiceBusEmulatorError):
    """The operation is not allowed on this entity (e.g. a plain receiver on a session queue)."""

    condition = "amqp:not-allowed"
    status = 400


class MessageTooLargeError(ServiceBusEmulatorError):
    """A message exceeds the maximum message size."""

    condition = "amqp:link:message-size-exceeded"
    status = 413


class MessageLockLostError(ServiceBusEmulatorError):
    """The lock token is unknown or its lock expired."""

    condition = "com.microsoft:message-lock-lost"
    status = 410


class SessionLockLostError(ServiceBusEmulatorError):
    """The session lock expired or belongs to another receiver."""

    condition = "com.microsoft:session-lock-lost"
    status = 410


class SessionCannotBeLockedError(ServiceBusEmulatorError):
    """The requested session is locked by another receiver."""

    condition = "com.microsoft:session-cannot-be-locked"
    status = 409


class OperationTimeoutError(ServiceBusEmulatorError):
    """Nothing arrived (e.g. no session became available) within the client's timeout."""

    condition = "com.microsoft:timeout"
    status = 408


class StoreError(ServiceBusEmulatorError):
    """The durable store could not be opened or written."""


class ServerBusyError(ServiceBusEmulatorError):
    """The namespace is (made to pretend to be) too busy to take sends or receives now."""

    condition = "com.microsoft:server-busy"
    status = 503
