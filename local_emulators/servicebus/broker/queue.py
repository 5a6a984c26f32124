"""A queue (or subscription, or dead-letter queue): ready messages, locks, settlement, expiry."""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Callable, Iterable

from local_emulators.servicebus.broker.entity import Entity
from local_emulators.servicebus.broker.journal import Journal
from local_emulators.servicebus.broker.messages import (
    ACTIVE,
    DEFERRED,
    SCHEDULED,
    Delivery,
    EntityProperties,
    Message,
)
from local_emulators.servicebus.broker.sessions import SessionRegistry, SessionState
from local_emulators.servicebus.errors import MessageLockLostError, MessageNotFoundError, SessionLockLostError

COMPLETE, ABANDON, DEFER, DEAD_LETTER, RELEASE = "complete", "abandon", "defer", "dead-letter", "release"
MAX_DELIVERY_REASON = "MaxDeliveryCountExceeded"
EXPIRED_REASON = "TTLExpiredException"

DeadLetterHook = Callable[["Queue", Message, str | None, str | None, int], None]


class Queue(Entity):
    """A message queue with peek-lock semantics; also used for subscriptions and dead-letter queues."""

    kind = "queue"

    def __init__(self, path: str, props: EntityProperties, journal: Journal, kind: str = "queue") -> None:
        super().__init__(path, props, journal)
        self.kind = kind
        self.ready: list[int] = []
        self.sessions = SessionRegistry()
        self.locks: dict[uuid.UUID, Message] = {}
        self._lock_heap: list[tuple[int, int, uuid.UUID]] = []
        self._expiry: list[tuple[int, int]] = []
        self.dead_letter_queue: Queue | None = None
        self.dead_letter_hook: DeadLetterHook | None = None

    @property
    def session_enabled(self) -> bool:
        """Whether messages are grouped in sessions."""
        return self.props.requires_session

    # ---------------------------------------------------------------- arrival
    def enqueue(self, message: Message, now_ms: int) -> None:
        """Accept a message (already given its sequence number) into this entity."""
        ttl = message.header[2] if len(message.header) > 2 and message.header[2] else None
        default = self.props.default_ttl_ms
        effective = min(t for t in (ttl, default) if t) if (ttl or default) else None
        message.expires_ms = message.enqueued_ms + int(effective) if effective else None
        if message.state == SCHEDULED:
            self.hold_scheduled(message)
        else:
            self._activate(message)
        self.journal.saved(self.path, message)
        self.notify()

    def _activate(self, message: Message) -> None:
        self.messages[message.seq] = message
        self._make_ready(message)
        if message.expires_ms is not None:
            heapq.heappush(self._expiry, (message.expires_ms, message.seq))

    def _make_ready(self, message: Message) -> None:
        if self.session_enabled and message.session_id is not None:
            self.sessions.push_ready(message.session_id, message.seq)
        else:
            heapq.heappush(self.ready, message.seq)

    # ---------------------------------------------------------------- delivery
    def take(self, now_ms: int, *, lock: bool, session: SessionState | None = None) -> Delivery | None:
        """Hand out the next available message, locked (PEEK_LOCK) or removed (RECEIVE_AND_DELETE)."""
        heap = session.ready if session is not None else self.ready
        while heap:
            seq = heapq.heappop(heap)
            message = self.messages.get(seq)
            if message is None or message.state != ACTIVE or message.lock_token is not None:
                continue
            if message.expires_ms is not None and message.expires_ms <= now_ms:
                self._expire(message, now_ms)
                continue
            return self._hand_out(message, now_ms, lock, session)
        return None

    def _hand_out(self, message: Message, now_ms: int, lock: bool, session: SessionState | None) -> Delivery:
        if not lock:
            del self.messages[message.seq]
            self.journal.removed(self.path, message.seq)
            return Delivery(message, None, 0)
        token = uuid.uuid4()
        message.lock_token = token
        if session is not None:
            message.locked_until_ms = session.locked_until_ms
            session.locked_tokens.add(token)
        else:
            message.locked_until_ms = now_ms + self.props.lock_duration_ms
            heapq.heappush(self._lock_heap, (message.locked_until_ms, message.seq, token))
        self.locks[token] = message
        self.journal.touched(self.path, message)
        return Delivery(message, token, message.locked_until_ms)

    def receive_deferred(
        self, seqs: Iterable[int], now_ms: int, *, lock: bool, session: SessionState | None = None
    ) -> list[Delivery]:
        """Receive deferred messages by sequence number.

        Raises:
            MessageNotFoundError: One of them does not exist or is not deferred.
        """
        found: list[Message] = []
        for seq in seqs:
            message = self.messages.get(int(seq))
            wrong_session = session is not None and message is not None and message.session_id != session.session_id
            if message is None or message.state != DEFERRED or wrong_session:
                raise MessageNotFoundError(f"no deferred message {seq} in {self.path}")
            found.append(message)
        deliveries = []
        for message in found:
            if message.lock_token is not None:
                self._drop_lock(message)
            deliveries.append(self._hand_out(message, now_ms, lock, session))
        return deliveries

    def peek(self, from_seq: int, count: int, session_id: str | None = None) -> list[Message]:
        """Return up to ``count`` messages from ``from_seq`` on, without locking them."""
        seqs = sorted(s for s in self.messages if s >= from_seq)
        out = []
        for seq in seqs:
            message = self.messages[seq]
            if session_id is None or message.session_id == session_id:
                out.append(message)
                if len(out) >= count:
                    break
        return out

    # ---------------------------------------------------------------- settlement
    def locked_message(self, token: uuid.UUID, now_ms: int, owner: object | None = None) -> Message:
        """Return the message locked by ``token``, checking the lock is still held.

        Raises:
            MessageLockLostError: Unknown token or expired lock.
            SessionLockLostError: The message's session lock is not held by ``owner``.
        """
        message = self.locks.get(token)
        if message is None:
            if self.session_enabled:
                raise SessionLockLostError(f"the session lock for {token} in {self.path} was lost")
            raise MessageLockLostError(f"the lock {token} in {self.path} is unknown or expired")
        if self.session_enabled and message.session_id is not None:
            self.sessions.get(message.session_id).check_owner(owner, now_ms)
        elif message.locked_until_ms <= now_ms:
            raise MessageLockLostError(f"the lock {token} in {self.path} expired")
        return message

    def settle(
        self,
        token: uuid.UUID,
        outcome: str,
        now_ms: int,
        *,
        owner: object | None = None,
        reason: str | None = None,
        description: str | None = None,
    ) -> None:
        """Complete, abandon, defer, dead-letter or release a locked message."""
        message = self.locked_message(token, now_ms, owner)
        self._drop_lock(message)
        if outcome == COMPLETE:
            del self.messages[message.seq]
            self.journal.removed(self.path, message.seq)
        elif outcome == ABANDON:
            self._count_failed_delivery(message, now_ms)
        elif outcome == DEFER:
            message.state = DEFERRED
            self.journal.touched(self.path, message)
        elif outcome == DEAD_LETTER:
            self.dead_letter(message, reason, description, now_ms)
        else:
            self._requeue(message)

    def renew(self, token: uuid.UUID, now_ms: int) -> int:
        """Extend a message lock by the lock duration and return the new expiry (ms)."""
        message = self.locked_message(token, now_ms)
        message.locked_until_ms = now_ms + self.props.lock_duration_ms
        heapq.heappush(self._lock_heap, (message.locked_until_ms, message.seq, token))
        self.journal.touched(self.path, message)
        return message.locked_until_ms

    def dead_letter(self, message: Message, reason: str | None, description: str | None, now_ms: int) -> None:
        """Move a message out of this entity to its dead-letter destination."""
        self.messages.pop(message.seq, None)
        self.journal.removed(self.path, message.seq)
        if self.dead_letter_hook is not None:
            self.dead_letter_hook(self, message, reason, description, now_ms)

    def _drop_lock(self, message: Message) -> None:
        if message.lock_token is not None:
            self.locks.pop(message.lock_token, None)
            if message.session_id is not None and message.session_id in self.sessions.sessions:
                self.sessions.sessions[message.session_id].locked_tokens.discard(message.lock_token)
        message.lock_token = None
        message.locked_until_ms = 0

    def _count_failed_delivery(self, message: Message, now_ms: int) -> None:
        message.delivery_count += 1
        if message.delivery_count >= self.props.max_delivery_count:
            self.dead_letter(
                message,
                MAX_DELIVERY_REASON,
                f"Message could not be consumed after {self.props.max_delivery_count} delivery attempts.",
                now_ms,
            )
        else:
            self._requeue(message)

    def _requeue(self, message: Message) -> None:
        if message.state == ACTIVE:
            self._make_ready(message)
        self.journal.touched(self.path, message)
        self.notify()

    def _expire(self, message: Message, now_ms: int) -> None:
        if self.props.dead_letter_on_expiration:
            self.dead_letter(message, EXPIRED_REASON, "The message expired and was dead lettered.", now_ms)
        else:
            del self.messages[message.seq]
            self.journal.removed(self.path, message.seq)

    # ---------------------------------------------------------------- time
    def tick(self, now_ms: int) -> None:
        """Expire locks, session locks and messages; activate scheduled messages."""
        while self._lock_heap and self._lock_heap[0][0] <= now_ms:
            _, _, token = heapq.heappop(self._lock_heap)
            message = self.locks.get(token)
            if message is not None and message.locked_until_ms <= now_ms:
                self._drop_lock(message)
                self._count_failed_delivery(message, now_ms)
        for session in self.sessions.expired(now_ms):
            self.release_session_messages(session, now_ms)
        for message in self.due_scheduled(now_ms):
            self._activate(message)
            self.journal.touched(self.path, message)
            self.notify()
        while self._expiry and self._expiry[0][0] <= now_ms:
            _, seq = heapq.heappop(self._expiry)
            message = self.messages.get(seq)
            if message is not None and message.state == ACTIVE and message.lock_token is None:
                self._expire(message, now_ms)

    def release_session_messages(self, session: SessionState, now_ms: int) -> None:
        """Return the messages a lost or closed session lock still held (each counts as a delivery)."""
        for token in list(session.locked_tokens):
            message = self.locks.get(token)
            if message is not None:
                self._drop_lock(message)
                self._count_failed_delivery(message, now_ms)
        session.locked_tokens.clear()

    # ---------------------------------------------------------------- bookkeeping
    def restore(self, message: Message) -> None:
        """Put back a message loaded from the durable store."""
        self.next_seq = max(self.next_seq, message.seq + 1)
        if message.state == SCHEDULED:
            self.hold_scheduled(message)
            return
        self.messages[message.seq] = message
        if message.lock_token is not None and not self.session_enabled:
            self.locks[message.lock_token] = message
            heapq.heappush(self._lock_heap, (message.locked_until_ms, message.seq, message.lock_token))
        elif message.state == ACTIVE:
            message.lock_token = None
            self._make_ready(message)
        if message.expires_ms is not None:
            heapq.heappush(self._expiry, (message.expires_ms, message.seq))

    def counts(self, now_ms: int) -> dict[str, int]:
        """Count messages by state."""
        states = [m.state for m in self.messages.values()]
        return {
            "active": sum(1 for m in self.messages.values() if m.state == ACTIVE and m.lock_token is None),
            "locked": len(self.locks),
            "deferred": states.count(DEFERRED),
            "scheduled": states.count(SCHEDULED),
            "total": len(states),
        }

    def clear(self) -> None:
        """Forget every message, lock and session."""
        super().clear()
        self.ready.clear()
        self.locks.clear()
        self._lock_heap.clear()
        self._expiry.clear()
        self.sessions = SessionRegistry()
