"""The namespace: every entity by path, message routing (topics, forwarding, dead-lettering), time."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from local_emulators.servicebus.amqp.message import ParsedMessage, annotation, assign_message_id, parse_message
from local_emulators.servicebus.amqp.message import replace_application_properties as with_app_props
from local_emulators.servicebus.broker.entity import Entity
from local_emulators.servicebus.broker.journal import Journal, NullJournal
from local_emulators.servicebus.broker.messages import SCHEDULED, EntityProperties, Message
from local_emulators.servicebus.broker.queue import Queue
from local_emulators.servicebus.broker.topic import Rule, Subscription, Topic
from local_emulators.servicebus.broker.views import apply_view, message_view
from local_emulators.servicebus.errors import EntityNotFoundError, NotAllowedError

DLQ_SUFFIX = "/$DeadLetterQueue"
_MAX_FORWARD_HOPS = 4


class Broker:
    """All entities of the one namespace, and the rules that move messages between them.

    Args:
        journal: Receives every change, to make it durable.
    """

    def __init__(self, journal: Journal | None = None) -> None:
        self.journal: Journal = journal or NullJournal()
        self.senders: dict[str, Queue | Topic] = {}
        self.receivers: dict[str, Queue] = {}

    # ---------------------------------------------------------------- setup
    def add_queue(self, name: str, props: EntityProperties) -> Queue:
        """Declare a queue (and its dead-letter queue)."""
        queue = Queue(name, props, self.journal)
        self._register_receiver(queue)
        self.senders[name.lower()] = queue
        return queue

    def add_topic(self, name: str, props: EntityProperties) -> Topic:
        """Declare a topic."""
        topic = Topic(name, props, self.journal)
        self.senders[name.lower()] = topic
        return topic

    def add_subscription(
        self, topic: Topic, name: str, props: EntityProperties, rules: Sequence[Rule] | None
    ) -> Subscription:
        """Declare a subscription of ``topic`` (``rules`` None = the default true rule)."""
        subscription = Subscription(topic.path, name, props, self.journal, rules)
        topic.add_subscription(subscription)
        self._register_receiver(subscription)
        return subscription

    def _register_receiver(self, queue: Queue) -> None:
        dlq_props = dataclasses.replace(
            queue.props, requires_session=False, default_ttl_ms=None, forward_to=None, max_delivery_count=1 << 30
        )
        dlq = Queue(queue.path + DLQ_SUFFIX, dlq_props, self.journal, kind="deadletter")
        queue.dead_letter_queue = dlq
        queue.dead_letter_hook = self._dead_letter
        self.receivers[queue.path.lower()] = queue
        self.receivers[dlq.path.lower()] = dlq

    # ---------------------------------------------------------------- lookup
    def sender_entity(self, path: str) -> Queue | Topic:
        """Return the queue or topic messages are sent to.

        Raises:
            EntityNotFoundError: There is none by that path.
        """
        entity = self.senders.get(path.lower())
        if entity is None:
            raise EntityNotFoundError(f"the messaging entity '{path}' could not be found")
        return entity

    def receiver_entity(self, path: str) -> Queue:
        """Return the queue, subscription or dead-letter queue messages are received from.

        Raises:
            EntityNotFoundError: There is none by that path.
        """
        entity = self.receivers.get(path.lower())
        if entity is None:
            raise EntityNotFoundError(f"the messaging entity '{path}' could not be found")
        return entity

    def entity(self, path: str) -> Entity:
        """Return any entity by path (for management operations)."""
        found = self.receivers.get(path.lower()) or self.senders.get(path.lower())
        if found is None:
            raise EntityNotFoundError(f"the messaging entity '{path}' could not be found")
        return found

    def entities(self) -> Iterable[Entity]:
        """Every entity, dead-letter queues included."""
        seen: dict[int, Entity] = {}
        for entity in [*self.senders.values(), *self.receivers.values()]:
            seen[id(entity)] = entity
        return seen.values()

    # ---------------------------------------------------------------- sending
    def send(self, path: str, parsed: Sequence[ParsedMessage], now_ms: int) -> list[Message]:
        """Accept messages sent to ``path``; duplicates (by MessageId) are dropped silently.

        Returns:
            The messages accepted (scheduled ones included).

        Raises:
            EntityNotFoundError: No such queue or topic.
            NotAllowedError: A message without SessionId sent to a session-enabled queue.
        """
        entity = self.sender_entity(path)
        accepted = []
        for item in parsed:
            session_id = item.prop(10)
            if isinstance(entity, Queue) and entity.session_enabled and session_id is None:
                raise NotAllowedError(f"'{path}' requires sessions; the message has no SessionId")
        for item in parsed:
            if item.prop(0) is None:
                assign_message_id(item, uuid.uuid4().hex)  # Azure's broker assigns one too
            message_id = item.prop(0)
            if entity.is_duplicate(message_id, now_ms):
                continue
            message = self._new_message(entity, item, now_ms)
            self.route(entity, message, now_ms)
            accepted.append(message)
        return accepted

    def _new_message(self, entity: Entity, item: ParsedMessage, now_ms: int) -> Message:
        session_id = item.prop(10)
        message = Message(
            seq=entity.assign_seq(),
            bare=item.bare,
            annotations=item.annotations,
            header=item.header,
            message_id=item.prop(0),
            session_id=str(session_id) if session_id is not None else None,
            enqueued_ms=now_ms,
        )
        scheduled = annotation(item.annotations, "x-opt-scheduled-enqueue-time")
        if isinstance(scheduled, int) and scheduled > now_ms:
            message.state = SCHEDULED
            message.scheduled_ms = int(scheduled)
        return message

    def route(self, entity: Queue | Topic, message: Message, now_ms: int, hops: int = 0) -> None:
        """Deliver a message into ``entity``, following topics and auto-forwarding."""
        if isinstance(entity, Topic):
            if message.state == SCHEDULED:
                entity.hold_scheduled(message)
                self.journal.saved(entity.path, message)
            else:
                self._fan_out(entity, message, now_ms, hops)
            return
        forward = entity.props.forward_to
        if forward and hops < _MAX_FORWARD_HOPS and message.state != SCHEDULED:
            target = self.sender_entity(forward)
            self.route(target, message.copy_for(target.assign_seq()), now_ms, hops + 1)
            return
        entity.enqueue(message, now_ms)

    def _fan_out(self, topic: Topic, message: Message, now_ms: int, hops: int) -> None:
        view = message_view(message) if topic.needs_view else None
        for subscription in topic.subscriptions.values():
            action = None
            if view is not None:
                admitted, action = subscription.admits(view)
                if not admitted:
                    continue
            copy = message.copy_for(message.seq)
            if action is not None and view is not None:
                apply_view(copy, action.apply(view))
            self.route(subscription, copy, now_ms, hops)

    def cancel_scheduled(self, path: str, seqs: Iterable[int]) -> None:
        """Cancel scheduled messages of a queue or topic by sequence number."""
        entity = self.sender_entity(path)
        for seq in seqs:
            entity.cancel_scheduled(int(seq))

    def _dead_letter(
        self, source: Queue, message: Message, reason: str | None, description: str | None, now_ms: int
    ) -> None:
        target: Queue | Topic | None = source.dead_letter_queue
        if source.props.forward_dead_lettered_to:
            target = self.sender_entity(source.props.forward_dead_lettered_to)
        if target is None:
            return
        application: dict[Any, Any] = dict(parse_message(message.bare).application)
        if reason is not None:
            application["DeadLetterReason"] = reason
        if description is not None:
            application["DeadLetterErrorDescription"] = description
        copy = message.copy_for(target.assign_seq())
        copy.bare = with_app_props(message.bare, application)
        # Azure names the source only on messages forwarded out of the entity that dead-lettered them.
        copy.dead_letter_source = source.path if target is not source.dead_letter_queue else None
        copy.expires_ms = None
        copy.header = [None if i == 2 else v for i, v in enumerate(message.header)]
        self.route(target, copy, now_ms)

    # ---------------------------------------------------------------- time and state
    def tick(self, now_ms: int) -> None:
        """Advance time: expire locks and messages, release scheduled messages."""
        for entity in list(self.senders.values()):
            if isinstance(entity, Topic):
                for message in entity.due_scheduled(now_ms):
                    del entity.messages[message.seq]
                    self.journal.removed(entity.path, message.seq)
                    self._fan_out(entity, message, now_ms, 0)
        for queue in list(self.receivers.values()):
            queue.tick(now_ms)

    def restore(self, path: str, message: Message) -> None:
        """Put back a message loaded from the durable store (unknown entities are skipped)."""
        entity = self.receivers.get(path.lower()) or self.senders.get(path.lower())
        if isinstance(entity, Queue):
            entity.restore(message)
        elif isinstance(entity, Topic) and message.state == SCHEDULED:
            entity.next_seq = max(entity.next_seq, message.seq + 1)
            entity.hold_scheduled(message)

    def reset(self) -> None:
        """Purge every message, lock, session and duplicate-detection record."""
        for entity in self.entities():
            entity.clear()
        self.journal.cleared()

    def snapshot(self, now_ms: int) -> list[dict[str, Any]]:
        """Describe each entity with its message counts (for the control plane)."""
        out: list[dict[str, Any]] = []
        for entity in self.entities():
            row: dict[str, Any] = {"name": entity.path, "type": entity.kind}
            if isinstance(entity, Queue):
                row.update(entity.counts(now_ms))
                row["sessions"] = len(entity.sessions.sessions)
            else:
                row["scheduled"] = len(entity.messages)
            out.append(row)
        return sorted(out, key=lambda r: str(r["name"]).lower())
