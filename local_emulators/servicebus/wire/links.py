"""What every link has: its attach, credit granted to a sending client, detach and refusal."""

from __future__ import annotations

from typing import Any

from local_emulators.servicebus.amqp import performatives as p
from local_emulators.servicebus.amqp.types import UInt, ULong
from local_emulators.servicebus.broker.messages import MAX_MESSAGE_SIZE
from local_emulators.servicebus.errors import ProtocolError, ServiceBusEmulatorError, UnauthorizedError
from local_emulators.servicebus.wire.ports import SessionPort

CREDIT = 5000


class Link:
    """Base of every link; ``path`` is the normalised entity path of the broker side's terminus."""

    def __init__(self, session: SessionPort, fields: list[Any], path: str) -> None:
        self.session = session
        self.conn = session.conn
        self.ctx = session.conn.ctx
        self.name = fields[p.A_NAME]
        self.handle = fields[p.A_HANDLE]
        self.path = path
        self.fields = fields
        self.source = fields[p.A_SOURCE]
        self.target = fields[p.A_TARGET]
        self.properties: dict[Any, Any] = fields[p.A_PROPERTIES] or {}
        self.detached = False
        # credit we grant a client that sends to us
        self.remote_delivery_count = int(fields[p.A_INITIAL_DELIVERY_COUNT] or 0)
        self.credit_left = 0

    def require_authorization(self) -> None:
        """Refuse unless a CBS token covering this link's entity was put on the connection.

        Raises:
            UnauthorizedError: No such token.
        """
        if not self.conn.is_authorized(self.path):
            raise UnauthorizedError(f"no valid token covers '{self.path}'; put one on $cbs first")

    def attached(self) -> None:
        """Answer the client's attach (links that defer their answer override this)."""
        self.reply_attach()

    def reply_attach(self, source: Any = None, properties: dict[Any, Any] | None = None) -> None:
        """Send our attach: the opposite role, echoing source and target (pyamqp needs both)."""
        we_send = self.fields[p.A_ROLE] is True
        self.session.send(
            p.ATTACH,
            [
                self.name,
                UInt(self.handle),
                not we_send,
                self.fields[p.A_SND_SETTLE],
                self.fields[p.A_RCV_SETTLE],
                source if source is not None else self.source,
                self.target,
                None,
                False,
                UInt(0) if we_send else None,
                ULong(MAX_MESSAGE_SIZE),
                None,
                None,
                properties,
            ],
        )

    def grant_credit(self) -> None:
        """Give a sending client a fresh batch of credit."""
        self.credit_left = CREDIT
        self.session.send(
            p.FLOW, self.session.flow_fields(UInt(self.handle), UInt(self.remote_delivery_count), UInt(CREDIT))
        )

    def count_incoming(self) -> None:
        """Account for one delivery from a sending client, topping its credit up when low."""
        self.remote_delivery_count += 1
        self.credit_left -= 1
        if self.credit_left < CREDIT // 2:
            self.grant_credit()

    def on_transfer(self, fields: list[Any], payload: bytes) -> None:
        """Handle a transfer from the client.

        Raises:
            ProtocolError: This link does not receive.
        """
        raise ProtocolError(f"link {self.name!r} does not accept transfers")

    def on_flow(self, fields: list[Any]) -> None:
        """Handle a link flow from the client."""

    def window_opened(self) -> None:
        """The session window may allow more transfers now."""

    def on_detach(self) -> None:
        """The link is going away (client detach, session end or connection loss)."""
        self.detached = True

    def detach_with_error(self, exc: ServiceBusEmulatorError) -> None:
        """Close the link from our side with an error."""
        self.on_detach()
        self.session.links.pop(self.handle, None)
        self.session.send(p.DETACH, [UInt(self.handle), True, p.error(exc.condition, str(exc))])


def refuse_attach(session: SessionPort, fields: list[Any], exc: ServiceBusEmulatorError, detach: bool = True) -> None:
    """Refuse an attach as Service Bus does: attach with null terminus, then a closing detach with the error.

    ``detach`` is False when the client already detached (the session answers that detach). A
    handle that is not a uint is answered on handle 0, so even a malformed attach hears the reason.
    """
    handle = fields[p.A_HANDLE]
    handle = UInt(handle) if isinstance(handle, int) and 0 <= handle <= 0xFFFFFFFF else UInt(0)
    session.send(
        p.ATTACH,
        [
            fields[p.A_NAME],
            handle,
            fields[p.A_ROLE] is not True,
            fields[p.A_SND_SETTLE],
            fields[p.A_RCV_SETTLE],
            None,
            None,
            None,
            False,
            None,
            None,
            None,
            None,
            None,
        ],
    )
    if detach:
        session.send(p.DETACH, [handle, True, p.error(exc.condition, str(exc))])
