"""Request/response links of the `$cbs` and `<entity>/$management` nodes."""

from __future__ import annotations

import asyncio
from typing import Any

from local_emulators.servicebus.amqp import codec
from local_emulators.servicebus.amqp import performatives as p
from local_emulators.servicebus.amqp.message import parse_message
from local_emulators.servicebus.amqp.types import Described
from local_emulators.servicebus.broker.messages import MAX_MESSAGE_SIZE
from local_emulators.servicebus.errors import MessageTooLargeError
from local_emulators.servicebus.wire import cbs, management
from local_emulators.servicebus.wire.assembly import Assembler
from local_emulators.servicebus.wire.links import Link
from local_emulators.servicebus.wire.ports import SessionPort

_ACCEPTED = p.described(p.ACCEPTED, [])
# A schedule request carries several whole messages; more than this is refused rather than held.
REQUEST_LIMIT = 4 * MAX_MESSAGE_SIZE


def encode_response(correlation_id: Any, application: dict[Any, Any], body: Any) -> bytes:
    """Encode a response message: properties (correlation-id), application properties, amqp-value body."""
    out = bytearray()
    codec.encode_into(out, p.described(p.PROPERTIES, [None, None, None, None, None, correlation_id]))
    codec.encode_into(out, p.described(p.APPLICATION_PROPERTIES, application))
    codec.encode_into(out, p.described(p.AMQP_VALUE, body))
    return bytes(out)


def _address(terminus: Any) -> str | None:
    if isinstance(terminus, Described) and terminus.value:
        address = terminus.value[0]
        return str(address) if address is not None else None
    return None


class ReplyLink(Link):
    """The client's receiver link on a node: responses go out on it."""

    def __init__(self, session: SessionPort, fields: list[Any], path: str) -> None:
        super().__init__(session, fields, path)
        self.target_address = _address(self.target)
        self.delivery_count = 0

    def respond(self, payload: bytes) -> None:
        """Send a response, pre-settled."""
        delivery_id = self.session.next_delivery_id
        self.session.next_delivery_id += 1
        self.delivery_count += 1
        self.session.transfer(self.handle, delivery_id, delivery_id.to_bytes(4, "big"), True, payload)


class RequestLink(Link):
    """The client's sender link on a node: each message is a request (put-token or a management operation)."""

    def __init__(self, session: SessionPort, fields: list[Any], path: str) -> None:
        super().__init__(session, fields, path)
        self._assembler = Assembler(REQUEST_LIMIT)

    def attached(self) -> None:
        """Answer the attach and grant credit."""
        self.reply_attach()
        self.grant_credit()

    def on_transfer(self, fields: list[Any], payload: bytes) -> None:
        """Handle one request (it may span frames); answer on the matching reply link once its effects are durable."""
        delivery = self._assembler.add(fields, payload)
        if delivery is None or delivery.aborted:
            return
        self.count_incoming()
        fields = delivery.first
        if delivery.oversize:
            error = MessageTooLargeError(f"a request over {REQUEST_LIMIT} bytes")
            if not fields[p.T_SETTLED]:
                rejected = p.described(p.REJECTED, [p.error(error.condition, str(error))])
                delivery_id = fields[p.T_DELIVERY_ID]
                self.session.send(p.DISPOSITION, [True, delivery_id, delivery_id, True, rejected, None])
            return
        request = parse_message(delivery.payload)
        message_id, reply_to = request.prop(0), request.prop(4)
        body = request.bodies[0] if request.bodies else None
        if self.path.lower() == "$cbs":
            application, response_body = cbs.put_token(self.conn, request.application, body)
        else:
            node = self.path.rsplit("/", 1)[0]
            application, response_body = management.handle(self.conn, node, request.application, body)
        if not fields[p.T_SETTLED]:
            delivery_id = fields[p.T_DELIVERY_ID]
            self.session.send(p.DISPOSITION, [True, delivery_id, delivery_id, True, _ACCEPTED, None])
        response = encode_response(message_id, application, response_body)
        reply = self._reply_link(reply_to)
        if reply is not None:
            asyncio.get_running_loop().create_task(self._respond_after_commit(reply, response))

    async def _respond_after_commit(self, reply: ReplyLink, response: bytes) -> None:
        try:
            await self.ctx.committed()
            if not reply.detached:
                reply.respond(response)
        except Exception as exc:  # the task's error closes its own connection
            self.conn.fail(exc)

    def _reply_link(self, reply_to: Any) -> ReplyLink | None:
        replies = [link for link in self.session.links.values() if isinstance(link, ReplyLink)]
        for link in replies:
            if reply_to is not None and link.target_address == str(reply_to):
                return link
        for link in replies:
            if link.path.lower() == self.path.lower():
                return link
        return None
