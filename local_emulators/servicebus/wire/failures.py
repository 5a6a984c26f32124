"""Which AMQP error condition closes a connection after an error, and how the error is described.

Errors of the emulator carry their condition by type. Anything else raised while handling a frame
comes from a field of the wrong type or range (``amqp:invalid-field``) or from a bug of ours
(``amqp:internal-error``); the type, never the message text, decides.
"""

from __future__ import annotations

from local_emulators.servicebus.errors import ServiceBusEmulatorError

INVALID_FIELD = "amqp:invalid-field"
INTERNAL_ERROR = "amqp:internal-error"
# What a performative with a field of the wrong shape raises when the broker reads that field.
_FIELD_ERRORS = (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError)
_MAX_DESCRIPTION = 300


def condition_of(exc: BaseException) -> str:
    """Return the AMQP error condition that reports ``exc`` to the client."""
    if isinstance(exc, ServiceBusEmulatorError):
        return exc.condition
    if isinstance(exc, _FIELD_ERRORS):
        return INVALID_FIELD
    return INTERNAL_ERROR


def describe(exc: BaseException) -> str:
    """A one-line description for the log and the error's description field (never a traceback)."""
    if isinstance(exc, ServiceBusEmulatorError):
        text = str(exc)
    elif isinstance(exc, _FIELD_ERRORS):
        text = f"a field has the wrong type or value ({type(exc).__name__}: {exc})"
    else:
        text = f"internal error ({type(exc).__name__})"
    text = " ".join(text.split())
    return text if len(text) <= _MAX_DESCRIPTION else text[: _MAX_DESCRIPTION - 1] + "…"
