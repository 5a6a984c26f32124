"""What the broker tells its durable store: every change to a message or a session's state."""

from __future__ import annotations

from typing import Protocol

from local_emulators.servicebus.broker.messages import Message


class Journal(Protocol):
    """Receives each state change; a store makes them durable in batches."""

    def saved(self, entity: str, message: Message) -> None:
        """A message was added to ``entity`` (or must be rewritten whole)."""

    def touched(self, entity: str, message: Message) -> None:
        """A message's lock, delivery count or state changed."""

    def removed(self, entity: str, seq: int) -> None:
        """A message left ``entity``."""

    def session_state(self, entity: str, session_id: str, state: bytes | None) -> None:
        """A session's state was set (None clears it)."""

    def cleared(self) -> None:
        """Everything was purged (control-plane reset)."""


class NullJournal:
    """A journal that forgets everything (in-memory broker)."""

    def saved(self, entity: str, message: Message) -> None:
        """Ignore."""

    def touched(self, entity: str, message: Message) -> None:
        """Ignore."""

    def removed(self, entity: str, seq: int) -> None:
        """Ignore."""

    def session_state(self, entity: str, session_id: str, state: bytes | None) -> None:
        """Ignore."""

    def cleared(self) -> None:
        """Ignore."""
