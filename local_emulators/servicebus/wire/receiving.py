"""A client's sender link: assemble deliveries, enqueue them, acknowledge after the commit."""

from __future__ import annotations

import asyncio
from typing import Any

from local_emulators.servicebus.amqp import codec
from local_emulators.servicebus.amqp import performatives as p
from local_emulators.servicebus.amqp.frames import disposition_frame
from local_emulators.servicebus.amqp.message import BATCH_FORMAT, ParsedMessage, parse_message, split_batch
from local_emulators.servicebus.amqp.types import Symbol, UInt
from local_emulators.servicebus.broker.messages import MAX_MESSAGE_SIZE
from local_emulators.servicebus.errors import MessageTooLargeError, ServiceBusEmulatorError
from local_emulators.servicebus.wire.assembly import Assembler
from local_emulators.servicebus.wire.links import Link
from local_emulators.servicebus.wire.ports import SessionPort

_ACCEPTED_BYTES = codec.encode(p.described(p.ACCEPTED, []))
BATCH_OVERHEAD = 4096


class IncomingLink(Link):
    """Receives messages a client sends to a queue or topic."""

    def __init__(self, session: SessionPort, fields: list[Any], path: str) -> None:
        super().__init__(session, fields, path)
        self.require_authorization()
        self.entity = self.ctx.broker.sender_entity(path)
        self._assembler = Assembler(MAX_MESSAGE_SIZE + BATCH_OVERHEAD)
        self._acks: list[int] = []
        self._ack_task: asyncio.Task[None] | None = None

    def attached(self) -> None:
        """Answer the attach (with the batch size limit pyamqp reads) and grant credit."""
        self.reply_attach(properties={Symbol("com.microsoft:max-message-batch-size"): MAX_MESSAGE_SIZE})
        self.grant_credit()

    def on_transfer(self, fields: list[Any], payload: bytes) -> None:
        """Collect frames of a delivery; handle it when complete."""
        delivery = self._assembler.add(fields, payload)
        if delivery is None or delivery.aborted:
            return
        self.count_incoming()
        first = delivery.first
        delivery_id = first[p.T_DELIVERY_ID]
        settled = bool(first[p.T_SETTLED])
        try:
            if delivery.oversize:
                raise MessageTooLargeError(f"the message exceeds the maximum size of {MAX_MESSAGE_SIZE} bytes")
            self._accept(delivery.payload, first[p.T_FORMAT])
        except ServiceBusEmulatorError as exc:
            if not settled:
                rejected = p.described(p.REJECTED, [p.error(exc.condition, str(exc))])
                self.session.send(p.DISPOSITION, [True, UInt(delivery_id), UInt(delivery_id), True, rejected, None])
            return
        if not settled:
            self._acks.append(int(delivery_id))
            if self._ack_task is None:
                self._ack_task = asyncio.get_running_loop().create_task(self._ack_after_commit())

    def _accept(self, payload: bytes, message_format: Any) -> None:
        # The limit applies to each message; a batch envelope may exceed it by the SDK's framing overhead
        # (pyamqp fills a batch to the limit and then adds a few bytes of envelope).
        limit = MAX_MESSAGE_SIZE + BATCH_OVERHEAD if message_format == BATCH_FORMAT else MAX_MESSAGE_SIZE
        if len(payload) > limit:
            raise MessageTooLargeError(
                f"the message of {len(payload)} bytes exceeds the maximum size of {MAX_MESSAGE_SIZE} bytes"
            )
        parsed: list[ParsedMessage] = (
            split_batch(payload, full=False) if message_format == BATCH_FORMAT else [parse_message(payload, full=False)]
        )
        self.ctx.faults.check_busy(self.ctx.now_ms())
        self.ctx.broker.send(self.path, parsed, self.ctx.now_ms())

    async def _ack_after_commit(self) -> None:
        try:
            await self._acknowledge()
        except Exception as exc:  # the task's error closes its own connection
            self._ack_task = None
            self.conn.fail(exc)

    async def _acknowledge(self) -> None:
        # Each round acknowledges only what the commit it waited for contains.
        while self._acks:
            acks, self._acks = self._acks, []
            await self.ctx.committed()
            if self.detached:
                break
            start = prev = acks[0]
            for delivery_id in [*acks[1:], -1]:
                if delivery_id == prev + 1:
                    prev = delivery_id
                    continue
                self.conn.send_raw(disposition_frame(self.session.channel, True, start, prev, True, _ACCEPTED_BYTES))
                start = prev = delivery_id
        self._ack_task = None
