"""The error hierarchy of Switchboard: one root, and types that carry what a host must do.

Hosts never look at error text. They ask `disposition_for(error)`, which decides from the type alone whether the
message is dead-lettered at once (bad input is never retried), retried by the broker (transient trouble), or the run
fails with the error stored (a permanent fault in the work itself).
"""

from __future__ import annotations

import enum
from typing import ClassVar


class Disposition(enum.Enum):
    """What a host does with a message whose handling raised."""

    DEAD_LETTER = "dead_letter"
    """Bad input: settle to the dead-letter queue with the error's reason; never retry."""
    RETRY = "retry"
    """Transient: abandon so the broker redelivers (up to its max delivery count)."""
    FAIL_RUN = "fail_run"
    """Permanent: record the failure on the run and complete the message."""


class SwitchboardError(Exception):
    """Root of every error Switchboard raises.

    Attributes:
        reason: A short human-readable reason, used as the dead-letter reason or stored run error.
    """

    disposition: ClassVar[Disposition] = Disposition.FAIL_RUN

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def retryable(self) -> bool:
        """Whether a retry of the same message may succeed."""
        return self.disposition is Disposition.RETRY


class TransientError(SwitchboardError):
    """Trouble that may pass: a throttled dependency, a lost lock, a write conflict.

    Attributes:
        retry_after: Seconds the failing dependency asked us to wait before trying again (a model's `Retry-After`,
            Cosmos's `x-ms-retry-after-ms`, Service Bus's server-busy back-off), or None when it gave no hint. A
            host waits at least this long before it retries the message.
    """

    disposition = Disposition.RETRY

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentError(SwitchboardError):
    """A fault in the work itself that no retry will fix; the run fails with this error stored."""

    disposition = Disposition.FAIL_RUN


class BadMessageError(SwitchboardError):
    """Input that can never be handled; dead-lettered at once with `reason`."""

    disposition = Disposition.DEAD_LETTER


class InvalidEnvelopeError(BadMessageError):
    """The bytes are not a valid Switchboard envelope (not JSON, or missing or malformed fields)."""


class UnknownMessageTypeError(BadMessageError):
    """The envelope names a message type this deployment does not know."""


class UnsupportedMessageVersionError(BadMessageError):
    """The message's schema version is newer than the code, or older with no upcaster path."""


class InvalidMessagePayloadError(BadMessageError):
    """The payload does not validate against the message type's schema."""


class UnroutableMessageError(BadMessageError):
    """No agent here handles the message: unknown target, or a target that does not take its type."""


class StateConflictError(TransientError):
    """The agent's state changed since it was loaded (ETag mismatch); retrying reloads it."""


class DuplicateMessageError(TransientError):
    """The inbox mark of (agent, message id) exists: this message was handled and its commit is stored.

    A host that sees it re-sends the stored outbox (same message ids) and completes the message. Left unhandled it
    is transient on purpose: the broker redelivers, and a redelivery finds the inbox mark and only re-sends.
    """


class StateVersionError(PermanentError):
    """Stored agent state has a schema version the agent cannot read."""


class AgentDefinitionError(SwitchboardError):
    """An agent class or a set of agents is declared wrongly (raised at definition or wiring time)."""


class CancelledError(PermanentError):
    """The run was cancelled while a handler was working."""


def disposition_for(error: BaseException) -> Disposition:
    """Decide what a host does with a message whose handler raised `error`.

    Errors that are not Switchboard's own are treated as transient: the broker's max delivery count bounds the
    retries and then dead-letters the message, so nothing is lost and nothing loops forever.

    Args:
        error: The exception the dispatcher raised.

    Returns:
        The disposition to apply.
    """
    if isinstance(error, SwitchboardError):
        return error.disposition
    return Disposition.RETRY
