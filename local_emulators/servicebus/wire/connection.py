"""One AMQP connection: handshake, the frame loop, sessions by channel, and buffered output."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from local_emulators.servicebus.amqp import performatives as p
from local_emulators.servicebus.amqp.frames import (
    AMQP_HEADER,
    EMPTY_FRAME,
    HEADER,
    MAX_FRAME_SIZE,
    SASL_HEADER,
    TYPE_AMQP,
    decode_body,
    encode_frame,
)
from local_emulators.servicebus.amqp.types import UInt, UShort
from local_emulators.servicebus.errors import FramingError, ProtocolError
from local_emulators.servicebus.wire import sasl
from local_emulators.servicebus.wire.context import TRACE, WireContext
from local_emulators.servicebus.wire.failures import condition_of, describe
from local_emulators.servicebus.wire.session import Session

READ_CHUNK = 1 << 18
MIN_MAX_FRAME_SIZE = 512
_ids = itertools.count(1)


class Connection:
    """Serve one client connection until it closes."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, ctx: WireContext, first: bytes = b""
    ) -> None:
        self._first = first  # bytes a listener already read to route the connection
        self.reader = reader
        self.writer = writer
        self.ctx = ctx
        self.id = next(_ids)
        self.sessions: dict[int, Session] = {}
        self.remote_max_frame_size = 512
        self.authorized: set[str] = set()
        self.opened = False
        self.closed = False
        self._out = bytearray()
        self._flush_scheduled = False
        self._heartbeat: asyncio.TimerHandle | None = None
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)

    async def run(self) -> None:
        """Handshake, then handle frames until the peer closes or breaks the protocol."""
        self.ctx.faults.connections.add(self)
        try:
            mechanism = await self._handshake()
            if mechanism is None:
                return
            self.ctx.log.info("connection %d from %s (sasl=%s)", self.id, self.peer, mechanism)
            await self._frames()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.ctx.faults.connections.discard(self)
            self._release()
            self.flush()
            self.writer.close()

    def drop(self) -> None:
        """Cut the socket now without an AMQP close, as a network failure does (the frame loop then ends)."""
        self.ctx.log.warning("connection %d from %s: dropped (injected fault)", self.id, self.peer)
        self.writer.transport.abort()

    async def _handshake(self) -> str | None:
        """Exchange protocol headers (and SASL); None when the client was refused (already answered)."""
        header = self._first[:8]  # a routing listener reads at most the header
        if len(header) < 8:
            header += await self.reader.readexactly(8 - len(header))
        mechanism = "none"
        if header == SASL_HEADER:
            try:
                mechanism = await sasl.negotiate(self.reader, self.writer)
            except sasl.SaslRefusedError as exc:
                self.ctx.log.warning("connection %d from %s: SASL refused: %s", self.id, self.peer, exc)
                return None
            header = await self.reader.readexactly(8)
        self.writer.write(AMQP_HEADER)
        if header != AMQP_HEADER:
            # The spec's answer to a header we do not speak: ours, then close the socket.
            self.ctx.log.warning("connection %d from %s: unsupported protocol header %r", self.id, self.peer, header)
            return None
        return mechanism

    async def _frames(self) -> None:
        # Read whatever has arrived and handle every complete frame in it: one await per chunk
        # rather than two per frame.
        buffer = b""
        unpack = HEADER.unpack_from
        while not self.closed:
            chunk = await self.reader.read(READ_CHUNK)
            if not chunk:
                raise ConnectionResetError("peer closed the connection")
            buffer = buffer + chunk if buffer else chunk
            offset, available = 0, len(buffer)
            while available - offset >= 8 and not self.closed:
                size, doff, frame_type, channel = unpack(buffer, offset)
                try:
                    if size < 8 or size > MAX_FRAME_SIZE or doff < 2 or doff * 4 > size or frame_type != TYPE_AMQP:
                        raise FramingError(f"invalid frame header: size {size}, doff {doff}, type {frame_type}")
                    if available - offset < size:
                        break
                    if size > doff * 4:  # a frame without a body is a heartbeat
                        body = buffer[offset + doff * 4 : offset + size]
                        code, fields, payload_at = decode_body(body)
                        if TRACE:
                            self.ctx.log.debug("<- %d ch%d 0x%02x %r", self.id, channel, code, fields)
                        self._dispatch(channel, code, fields, body, payload_at)
                except Exception as exc:  # whatever a frame does, the client hears why
                    self.fail(exc)
                    return
                offset += size
            buffer = buffer[offset:]

    def _dispatch(self, channel: int, code: int, fields: list[Any], body: bytes, payload_at: int) -> None:
        if code == p.OPEN:
            self._on_open(fields)
        elif not self.opened:
            raise ProtocolError(f"performative 0x{code:02x} before open")
        elif code == p.BEGIN:
            if channel in self.sessions:
                raise ProtocolError(f"channel {channel} already has a session")
            self.sessions[channel] = Session(self, channel, fields)
        elif code == p.CLOSE:
            self._release()
            self.send(0, p.CLOSE, [None])
            self.closed = True
        else:
            session = self.sessions.get(channel)
            if session is None:
                # pyamqp sends a link detach after ending its session; nothing is left to do with it.
                self.ctx.log.debug("connection %d: frame 0x%02x on ended channel %d", self.id, code, channel)
                return
            if code == p.END:
                session.end()
                del self.sessions[channel]
                self.send(channel, p.END, [None])
            else:
                session.handle(code, fields, body, payload_at)

    def _on_open(self, fields: list[Any]) -> None:
        if self.opened:
            raise ProtocolError("a second open on one connection")
        self.remote_max_frame_size = max(int(fields[2] or MAX_FRAME_SIZE), MIN_MAX_FRAME_SIZE)
        self._send_open()
        idle_ms = fields[4]
        if idle_ms:
            # The client closes a connection it hears nothing on for idle-time-out (rhea does).
            self._beat(max(int(idle_ms) / 2000, 0.5))

    def _send_open(self) -> None:
        self.opened = True
        self.send(
            0, p.OPEN, ["sbemulator", None, UInt(MAX_FRAME_SIZE), UShort(65535), None, None, None, None, None, None]
        )

    def _beat(self, interval: float) -> None:
        if self.closed or self.writer.is_closing():
            return
        self.send_raw(EMPTY_FRAME)
        self._heartbeat = asyncio.get_running_loop().call_later(interval, self._beat, interval)

    def _release(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            self._heartbeat = None
        for session in list(self.sessions.values()):
            session.end()
        self.sessions.clear()

    def fail(self, exc: BaseException) -> None:
        """Close the connection with the AMQP error matching ``exc``, logged in one line.

        Used for any error while handling a frame or a timer of this connection: the client always
        hears a close with a condition (``amqp:decode-error``, ``amqp:invalid-field``,
        ``amqp:internal-error``, ...) instead of a dropped socket.
        """
        if self.closed:
            return
        condition = condition_of(exc)
        self.ctx.log.warning("connection %d from %s: closing with %s: %s", self.id, self.peer, condition, describe(exc))
        self.ctx.log.debug("connection %d: details of the error", self.id, exc_info=exc)
        self._release()
        if not self.opened:
            self._send_open()  # a close must follow an open
        self.send(0, p.CLOSE, [p.error(condition, describe(exc))])
        self.closed = True
        self.flush()
        self.writer.close()

    # ---------------------------------------------------------------- auth
    def authorize(self, path: str) -> None:
        """Remember that a valid token covers ``path`` (and everything under it)."""
        self.authorized.add(path.lower())

    def is_authorized(self, path: str) -> bool:
        """Tell whether a token presented on this connection covers ``path``."""
        lowered = path.lower()
        return any(a == "" or lowered == a or lowered.startswith(a + "/") for a in self.authorized)

    # ---------------------------------------------------------------- output
    def send(self, channel: int, code: int, fields: list[Any], payload: bytes = b"") -> None:
        """Queue a frame; frames queued in one loop tick go out in one write."""
        if TRACE:
            self.ctx.log.debug("-> %d ch%d 0x%02x %r", self.id, channel, code, fields)
        self._out += encode_frame(channel, code, fields, payload)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def send_raw(self, frame: bytes) -> None:
        """Queue an already-encoded frame."""
        self._out += frame
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        """Write everything queued."""
        self._flush_scheduled = False
        if self._out and not self.writer.is_closing():
            self.writer.write(bytes(self._out))
        self._out.clear()

    def find_link(self, name: object) -> object | None:
        """Return the link of that name on any session of this connection."""
        if name is None:
            return None
        for session in self.sessions.values():
            for link in session.links.values():
                if link.name == name:
                    return link
        return None
