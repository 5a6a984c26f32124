"""What queues, topics and subscriptions share: sequence numbers, duplicate detection, scheduling."""

from __future__ import annotations

import heapq
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from local_emulators.servicebus.broker.journal import Journal
from local_emulators.servicebus.broker.messages import ACTIVE, SCHEDULED, EntityProperties, Message
from local_emulators.servicebus.errors import MessageNotFoundError


class Entity:
    """Base of every message-holding entity.

    Args:
        path: The entity's path as configured (``q``, ``t/Subscriptions/s``, ``q/$DeadLetterQueue``).
        props: Its behaviour.
        journal: Where state changes go to be made durable.
    """

    kind = "entity"

    def __init__(self, path: str, props: EntityProperties, journal: Journal) -> None:
        self.path = path
        self.props = props
        self.journal = journal
        self.messages: dict[int, Message] = {}
        self.next_seq = 1
        self._scheduled: list[tuple[int, int]] = []
        self._seen_ids: OrderedDict[Any, int] = OrderedDict()
        self.listeners: set[Callable[[], None]] = set()

    def assign_seq(self) -> int:
        """Hand out the next sequence number."""
        seq = self.next_seq
        self.next_seq += 1
        return seq

    def is_duplicate(self, message_id: Any, now_ms: int) -> bool:
        """Record ``message_id`` and tell whether it was seen within the detection window."""
        if not self.props.requires_duplicate_detection or message_id is None:
            return False
        horizon = now_ms - self.props.duplicate_window_ms
        while self._seen_ids:
            oldest_id, seen_at = next(iter(self._seen_ids.items()))
            if seen_at > horizon:
                break
            del self._seen_ids[oldest_id]
        key = repr(message_id)
        if key in self._seen_ids:
            return True
        self._seen_ids[key] = now_ms
        return False

    def hold_scheduled(self, message: Message) -> None:
        """Keep a message until its scheduled enqueue time."""
        message.state = SCHEDULED
        self.messages[message.seq] = message
        heapq.heappush(self._scheduled, (message.scheduled_ms or 0, message.seq))

    def cancel_scheduled(self, seq: int) -> None:
        """Drop a scheduled message.

        Raises:
            MessageNotFoundError: No scheduled message has that sequence number.
        """
        message = self.messages.get(seq)
        if message is None or message.state != SCHEDULED:
            raise MessageNotFoundError(f"no scheduled message {seq} in {self.path}")
        del self.messages[seq]
        self.journal.removed(self.path, seq)

    def due_scheduled(self, now_ms: int) -> list[Message]:
        """Remove and return the scheduled messages whose time has come, made active."""
        due: list[Message] = []
        while self._scheduled and self._scheduled[0][0] <= now_ms:
            _, seq = heapq.heappop(self._scheduled)
            message = self.messages.get(seq)
            if message is not None and message.state == SCHEDULED:
                message.state = ACTIVE
                message.enqueued_ms = max(message.enqueued_ms, message.scheduled_ms or 0)
                due.append(message)
        return due

    def next_due_ms(self) -> int | None:
        """When the next scheduled message falls due (None when there is none)."""
        return self._scheduled[0][0] if self._scheduled else None

    def notify(self) -> None:
        """Wake everyone waiting for messages on this entity."""
        for listener in list(self.listeners):
            listener()

    def clear(self) -> None:
        """Forget every message and restart sequence numbers (control-plane reset)."""
        self.messages.clear()
        self.next_seq = 1
        self._scheduled.clear()
        self._seen_ids.clear()
