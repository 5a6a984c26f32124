"""`DeadLetters`: look into a queue's dead-letter queue and send messages back (`switchboard dlq list|show|replay`)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from azure.servicebus import ServiceBusMessage, ServiceBusReceivedMessage, ServiceBusSubQueue
from azure.servicebus.aio import ServiceBusClient
from azure.servicebus.exceptions import ServiceBusError

from switchboard.hosting.backoff import RETRY_OF, without_marks
from switchboard.hosting.ports import REPLAY_OF
from switchboard.transport.errors import bus_error
from switchboard.transport.mapping import body_bytes, text_properties


@dataclass(frozen=True)
class DeadLetter:
    """One dead-lettered message, as the CLI shows it.

    Attributes:
        queue: The queue whose dead-letter queue holds it.
        message_id: Its MessageId.
        sequence_number: Its sequence number in the dead-letter queue.
        reason: The dead-letter reason (the error class name for bad input).
        description: The dead-letter description (the error's reason).
        delivery_count: How often it was delivered before.
        enqueued_at: When it was first enqueued.
        session_id: Its session (the run id), if any.
        subject: Its subject (the envelope type for agent messages).
        properties: Its application properties as text.
        body: The raw body.
    """

    queue: str
    message_id: str
    sequence_number: int
    reason: str | None
    description: str | None
    delivery_count: int
    enqueued_at: datetime | None
    session_id: str | None
    subject: str | None
    properties: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (body as text, replacing undecodable bytes)."""
        return {
            "queue": self.queue,
            "message_id": self.message_id,
            "sequence_number": self.sequence_number,
            "reason": self.reason,
            "description": self.description,
            "delivery_count": self.delivery_count,
            "enqueued_at": self.enqueued_at.isoformat() if self.enqueued_at else None,
            "session_id": self.session_id,
            "subject": self.subject,
            "properties": self.properties,
            "body": self.body.decode(errors="replace"),
        }


def _dead_letter(queue: str, message: ServiceBusReceivedMessage) -> DeadLetter:
    return DeadLetter(
        queue=queue,
        message_id=str(message.message_id or ""),
        sequence_number=int(message.sequence_number or 0),
        reason=message.dead_letter_reason,
        description=message.dead_letter_error_description,
        delivery_count=int(message.delivery_count or 0),
        enqueued_at=message.enqueued_time_utc,
        session_id=message.session_id,
        subject=message.subject,
        properties=text_properties(message.application_properties),
        body=body_bytes(message),
    )


class DeadLetters:
    """Reads and replays the dead-letter queues of one namespace through the process's client."""

    def __init__(self, client: ServiceBusClient, *, wait_seconds: float = 1.0) -> None:
        self.client = client
        self.wait_seconds = wait_seconds

    async def peek(self, queue: str, *, limit: int = 100) -> list[DeadLetter]:
        """Peek at up to `limit` dead-lettered messages of `queue`, oldest first (nothing is locked or removed)."""
        try:
            async with self.client.get_queue_receiver(queue, sub_queue=ServiceBusSubQueue.DEAD_LETTER) as receiver:
                peeked = await receiver.peek_messages(max_message_count=limit)
        except ServiceBusError as error:
            raise bus_error(error, f"peek the dead-letter queue of {queue!r}") from error
        return [_dead_letter(queue, message) for message in peeked]

    async def counts(self, queues: Collection[str], *, limit: int = 1000) -> dict[str, int]:
        """How many messages each queue's dead-letter queue holds (counted by peeking, up to `limit` each)."""
        return {queue: len(await self.peek(queue, limit=limit)) for queue in queues}

    async def show(self, queue: str, message_id: str, *, limit: int = 1000) -> DeadLetter | None:
        """The dead-lettered message of `queue` with this MessageId, or None."""
        for letter in await self.peek(queue, limit=limit):
            if letter.message_id == message_id:
                return letter
        return None

    async def replay(self, queue: str, message_ids: Collection[str] | None = None, *, limit: int = 100) -> list[str]:
        """Send dead-lettered messages back to `queue` and remove them from its dead-letter queue.

        A copy gets a new MessageId (duplicate detection would drop the old one) and keeps the original in the
        `replay_of` property; body, session, subject and properties are kept, so the envelope (and its inbox key)
        is unchanged.

        Args:
            queue: The queue.
            message_ids: Only these MessageIds; all (up to `limit`) when None.
            limit: The most messages to replay.

        Returns:
            The original MessageIds that were replayed.
        """
        wanted = set(message_ids) if message_ids is not None else None
        replayed: list[str] = []
        held: list[ServiceBusReceivedMessage] = []
        try:
            async with (
                self.client.get_queue_receiver(queue, sub_queue=ServiceBusSubQueue.DEAD_LETTER) as receiver,
                self.client.get_queue_sender(queue) as sender,
            ):
                while len(replayed) < limit and (wanted is None or len(replayed) < len(wanted)):
                    batch = await receiver.receive_messages(max_message_count=50, max_wait_time=self.wait_seconds)
                    if not batch:
                        break
                    for message in batch:
                        original = str(message.message_id or "")
                        if len(replayed) >= limit or (wanted is not None and original not in wanted):
                            held.append(message)
                            continue
                        await sender.send_messages(_copy(message))
                        await receiver.complete_message(message)
                        replayed.append(original)
                # Held until now so one call never receives the same message twice.
                for message in held:
                    await receiver.abandon_message(message)
        except ServiceBusError as error:
            raise bus_error(error, f"replay the dead-letter queue of {queue!r}") from error
        return replayed


def _copy(message: ServiceBusReceivedMessage) -> ServiceBusMessage:
    received = text_properties(message.application_properties)
    # A replay starts a fresh back-off streak; a retry copy's first message is the one it replays.
    properties: dict[str | bytes, Any] = {k: v for k, v in without_marks(received).items()}
    original = str(properties.get(REPLAY_OF) or received.get(RETRY_OF) or message.message_id or "")
    properties[REPLAY_OF] = original
    return ServiceBusMessage(
        body_bytes(message),
        message_id=f"{original}/replay-{uuid.uuid4().hex[:12]}",
        session_id=message.session_id,
        subject=message.subject,
        content_type=message.content_type,
        correlation_id=message.correlation_id,
        application_properties=properties,
    )
