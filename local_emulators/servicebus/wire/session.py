"""One AMQP session: windows, delivery ids, and routing of link frames to the link objects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from local_emulators.servicebus.amqp import performatives as p
from local_emulators.servicebus.amqp.frames import transfer_frame
from local_emulators.servicebus.amqp.types import Described, UInt, UShort
from local_emulators.servicebus.errors import InvalidFieldError, ProtocolError, ServiceBusEmulatorError
from local_emulators.servicebus.wire.context import TRACE, entity_path
from local_emulators.servicebus.wire.links import Link, refuse_attach
from local_emulators.servicebus.wire.ports import ConnectionPort
from local_emulators.servicebus.wire.receiving import IncomingLink
from local_emulators.servicebus.wire.requests import ReplyLink, RequestLink
from local_emulators.servicebus.wire.sending import OutgoingLink

WINDOW = 0x7FFFFFFF
HANDLE_MAX = 0xFFFFFFFF


class Session:
    """Serve one session of a connection."""

    def __init__(self, conn: ConnectionPort, channel: int, begin: list[Any]) -> None:
        self.conn = conn
        self.channel = channel
        self.links: dict[int, Link] = {}
        self.next_outgoing_id = 0
        self.next_delivery_id = 0
        self.next_incoming_id = int(begin[1] or 0)
        self.remote_incoming_window = int(begin[2] or 0)
        self.unsettled: dict[int, tuple[OutgoingLink, Any]] = {}
        conn.send(
            channel, p.BEGIN, [UShort(channel), UInt(0), UInt(WINDOW), UInt(WINDOW), UInt(0xFFFFFFFF), None, None, None]
        )

    def send(self, code: int, fields: list[Any], payload: bytes = b"") -> None:
        """Send a frame on this session's channel."""
        self.conn.send(self.channel, code, fields, payload)

    def handle(self, code: int, fields: list[Any], body: bytes, payload_at: int) -> None:
        """Handle a link-level frame (an error raised here closes the connection with its condition)."""
        if code == p.TRANSFER:
            self.next_incoming_id += 1
            link = self.links.get(fields[p.T_HANDLE])
            if link is None:
                raise ProtocolError(f"transfer on unattached handle {fields[p.T_HANDLE]}")
            link.on_transfer(fields, body[payload_at:])
        elif code == p.DISPOSITION:
            self._on_disposition(fields)
        elif code == p.FLOW:
            self._on_flow(fields)
        elif code == p.ATTACH:
            self._on_attach(fields)
        elif code == p.DETACH:
            link = self.links.pop(fields[0], None)
            # A detach for a link we already closed (a refused attach, or one we detached with an
            # error) is the client's answer to ours: answering it again would confuse the client.
            if link is not None:
                link.on_detach()
                self.send(p.DETACH, [fields[0], True, None])

    def _on_attach(self, fields: list[Any]) -> None:
        handle = fields[p.A_HANDLE]
        client_sends = fields[p.A_ROLE] is False
        terminus = fields[p.A_TARGET] if client_sends else fields[p.A_SOURCE]
        address = terminus.value[0] if isinstance(terminus, Described) and terminus.value else None
        path = entity_path(address)
        link: Link
        node = path.rsplit("/", 1)[-1].lower()
        try:
            if node in ("$cbs", "$management"):
                link = RequestLink(self, fields, path) if client_sends else ReplyLink(self, fields, path)
            else:
                self.conn.ctx.faults.check_busy(self.conn.ctx.now_ms())
                link = IncomingLink(self, fields, path) if client_sends else OutgoingLink(self, fields, path)
        except ServiceBusEmulatorError as exc:
            # Checked before the handle, so an unauthorised client hears why whatever else is wrong.
            refuse_attach(self, fields, exc)
            return
        if not isinstance(handle, int) or not 0 <= handle <= HANDLE_MAX:
            raise InvalidFieldError(f"attach handle {handle!r:.40} is not a uint")
        if handle in self.links:
            raise ProtocolError(f"handle {handle} is already attached")
        self.links[handle] = link
        link.attached()

    def _on_flow(self, fields: list[Any]) -> None:
        next_incoming = fields[p.F_NEXT_INCOMING_ID]
        base = int(next_incoming) if next_incoming is not None else 0
        self.remote_incoming_window = base + int(fields[p.F_INCOMING_WINDOW] or 0) - self.next_outgoing_id
        handle = fields[p.F_HANDLE]
        if handle is not None:
            link = self.links.get(handle)
            if link is not None:
                link.on_flow(fields)
        for link in self.links.values():
            link.window_opened()

    def _on_disposition(self, fields: list[Any]) -> None:
        if fields[p.D_ROLE] is not True:
            return  # the client settles nothing it received from us as a sender
        first = _uint(fields[p.D_FIRST], "disposition first")
        last = _uint(fields[p.D_LAST], "disposition last") if fields[p.D_LAST] is not None else first
        # Cost follows the deliveries that exist, not the range a client names (0..2^32-1 is legal).
        if last - first >= len(self.unsettled):
            ids: Iterable[int] = sorted(i for i in self.unsettled if first <= i <= last)
        else:
            ids = range(first, last + 1)
        state, settled = fields[p.D_STATE], bool(fields[p.D_SETTLED])
        for delivery_id in ids:
            entry = self.unsettled.pop(delivery_id, None)
            if entry is not None:
                link, token = entry
                link.on_disposition(delivery_id, token, state, settled)

    def flow_fields(self, handle: Any, delivery_count: Any, credit: Any, drain: bool = False) -> list[Any]:
        """Build a flow frame carrying this session's windows."""
        return [
            UInt(self.next_incoming_id),
            UInt(WINDOW),
            UInt(self.next_outgoing_id),
            UInt(WINDOW),
            handle,
            delivery_count,
            credit,
            None,
            drain,
            False,
            None,
        ]

    def transfer(self, handle: int, delivery_id: int, tag: bytes, settled: bool, payload: bytes) -> None:
        """Send a delivery, split into frames that fit the client's max frame size."""
        room = max(self.conn.remote_max_frame_size - 256, 512)
        if len(payload) <= room and not TRACE:
            self.next_outgoing_id += 1
            self.remote_incoming_window -= 1
            self.conn.send_raw(transfer_frame(self.channel, handle, delivery_id, tag, settled, payload))
            return
        fields = [UInt(handle), UInt(delivery_id), tag, UInt(0), settled, False, None, None, None, None, None]
        for start in range(0, len(payload), room):
            chunk = payload[start : start + room]
            frame = list(fields)
            frame[p.T_MORE] = start + room < len(payload)
            if start:
                frame[p.T_DELIVERY_ID] = frame[p.T_DELIVERY_TAG] = frame[p.T_FORMAT] = None
            self.next_outgoing_id += 1
            self.remote_incoming_window -= 1
            self.send(p.TRANSFER, frame, chunk)

    def end(self) -> None:
        """Detach every link (the session ended or the connection went away)."""
        for link in list(self.links.values()):
            link.on_detach()
        self.links.clear()


def _uint(value: Any, what: str) -> int:
    if not isinstance(value, int) or not 0 <= value <= HANDLE_MAX:
        raise InvalidFieldError(f"{what} {value!r:.40} is not a uint")
    return int(value)
