"""What a hop takes in and hands back: the received message (`IncomingMessage`) and the verdict (`Settlement`).

The delivery count rule, in one place. On the wire, the AMQP header's `delivery-count` counts the *earlier*
attempts: 0 on the first delivery, one more per abandon or lock expiry (the local emulator does the same, see
tests/emulators/servicebus/test_sb_durability.py). azure-servicebus (Python) reports that raw value as
`ServiceBusReceivedMessage.delivery_count`; the .NET SDK, and so the Functions host, adds one. `IncomingMessage`
always carries the 1-based number of *this* delivery, and each adapter converts once:

- a plain azure-servicebus receiver (`switchboard.transport.mapping.delivery_attempt`): the SDK's count + 1;
- the Functions SDK-type binding (`switchboard.functions.app_builder.incoming_message`): the host serialises the
  .NET SDK's view of the message, whose header already counts this delivery, so its count is taken as it is
  (`switchboard host` reproduces that header).

The count is informational (spans and logs): the processor recognises a redelivery from the store, never from it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class SettlementKind(enum.Enum):
    """How a host settles a message."""

    COMPLETE = "complete"
    ABANDON = "abandon"
    DEAD_LETTER = "dead_letter"


class Outcome(enum.StrEnum):
    """What a hop did with its message, for spans, metrics, logs and tests (a `str`: its value is the label)."""

    HANDLED = "handled"
    """The handler ran and its effects were committed and sent."""
    RESENT = "resent"
    """A redelivery of a handled message: its stored outbox was sent again."""
    DUPLICATE = "duplicate"
    """Another delivery committed the same message meanwhile: its outbox was sent again."""
    RUN_ENDED = "run-ended"
    """The run had ended (or ended while the handler worked): nothing to do."""
    RUN_FAILED = "run-failed"
    """A permanent error failed the run."""
    STARTED = "started"
    """A task started its run."""
    ALREADY_STARTED = "already-started"
    """A task whose run had started already."""
    BAD_INPUT = "bad-input"
    """The message can never be handled: dead-lettered."""
    RETRY = "retry"
    """A transient error: abandoned, so Service Bus redelivers."""
    RESCHEDULED = "rescheduled"
    """A transient error: completed, and a copy scheduled after a back-off (`switchboard.hosting.transient_retry`)."""
    CANCELLED = "cancelled"
    """The run was cancelled while the handler worked."""


@dataclass(frozen=True)
class Settlement:
    """The processor's verdict on one message.

    Attributes:
        kind: Complete, abandon (Service Bus redelivers) or dead-letter.
        reason: The dead-letter reason (the error class name), or the error class of an abandon.
        description: The dead-letter description (the error's reason).
        outcome: What happened.
    """

    kind: SettlementKind
    reason: str | None = None
    description: str | None = None
    outcome: Outcome = Outcome.HANDLED


@dataclass(frozen=True)
class IncomingMessage:
    """A received Service Bus message as the processor sees it (no SDK type).

    Attributes:
        body: The body bytes.
        message_id: The Service Bus MessageId.
        delivery_count: Which delivery this is, 1 on the first (the module's rule says how adapters get it).
        session_id: The session (the run id on agent queues).
        application_properties: The application properties as text.
    """

    body: bytes
    message_id: str
    delivery_count: int = 1
    session_id: str | None = None
    application_properties: Mapping[str, str] = field(default_factory=dict)
