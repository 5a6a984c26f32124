"""The broker's record of one message and the entity properties that govern it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

ACTIVE, DEFERRED, SCHEDULED = 0, 1, 2
MAX_MESSAGE_SIZE = 256 * 1024


@dataclass(frozen=True, slots=True)
class EntityProperties:
    """Behaviour of a queue, topic or subscription (times in milliseconds)."""

    lock_duration_ms: int = 60_000
    max_delivery_count: int = 10
    default_ttl_ms: int | None = None
    dead_letter_on_expiration: bool = False
    requires_session: bool = False
    requires_duplicate_detection: bool = False
    duplicate_window_ms: int = 20_000
    forward_to: str | None = None
    forward_dead_lettered_to: str | None = None


@dataclass(slots=True)
class Message:
    """One message held by an entity.

    ``bare`` is the sender's bare message, byte for byte; ``annotations`` are the sender's
    message annotations, to which the broker adds its own on delivery.
    """

    seq: int
    bare: bytes
    annotations: dict[Any, Any]
    header: list[Any]
    message_id: Any
    session_id: str | None
    enqueued_ms: int
    expires_ms: int | None = None
    delivery_count: int = 0
    state: int = ACTIVE
    scheduled_ms: int | None = None
    lock_token: uuid.UUID | None = None
    locked_until_ms: int = 0
    dead_letter_source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def is_locked(self, now_ms: int) -> bool:
        """Tell whether a receiver holds a live lock on this message."""
        return self.lock_token is not None and self.locked_until_ms > now_ms

    def copy_for(self, seq: int) -> Message:
        """Return an unlocked copy with a new sequence number (topic fan-out, forwarding, DLQ)."""
        return Message(
            seq=seq,
            bare=self.bare,
            annotations=dict(self.annotations),
            header=list(self.header),
            message_id=self.message_id,
            session_id=self.session_id,
            enqueued_ms=self.enqueued_ms,
            expires_ms=self.expires_ms,
            delivery_count=self.delivery_count,
            dead_letter_source=self.dead_letter_source,
        )


@dataclass(frozen=True, slots=True)
class Delivery:
    """A message handed to a receiver: with a lock token in PEEK_LOCK mode, without one otherwise."""

    message: Message
    lock_token: uuid.UUID | None
    locked_until_ms: int
