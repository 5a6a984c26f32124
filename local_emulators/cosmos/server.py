"""The asyncio server: HTTP and HTTPS on one port, told apart by the first byte a client sends.

A TLS connection starts with a handshake record (byte 0x16); anything else is plain HTTP/1.1. Each
connection serves keep-alive requests one after another through the application callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from collections.abc import Callable

from local_emulators.cosmos.wire import (
    ProtocolError,
    RefusedRequestError,
    Request,
    Response,
    encode_response,
    json_response,
    read_request,
)

LOG = logging.getLogger("local_emulators.cosmos")
_TLS_HANDSHAKE = 0x16
_STREAM_LIMIT = 4 * 1024 * 1024
# After refusing a request, unread body bytes are discarded for a while so the client, still sending,
# reads the error instead of a connection reset; never stored, and bounded in time and size.
_DISCARD_SECONDS = 5.0
_DISCARD_BYTES = 64 * 1024 * 1024

Handler = Callable[[Request], Response]


class CosmosServer:
    """Serves one application on one host/port for both HTTP and HTTPS.

    Args:
        handler: Turns a request into a response (synchronous: the backend never blocks on the network).
        host: Address to bind.
        port: Port to bind (0 picks a free one).
        tls: The server-side TLS context, or None to serve plain HTTP only.
    """

    def __init__(self, handler: Handler, host: str, port: int, tls: ssl.SSLContext | None) -> None:
        self._handler = handler
        self._host = host
        self._port = port
        self._tls = tls
        self._listener: socket.socket | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """The port actually bound."""
        assert self._listener is not None
        return int(self._listener.getsockname()[1])

    def bind(self) -> None:
        """Open the listening socket (before the loop starts, so readiness is immediate)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self._host, self._port))
        listener.listen(512)
        listener.setblocking(False)
        self._listener = listener

    async def serve_forever(self) -> None:
        """Accept connections until cancelled."""
        if self._listener is None:
            self.bind()
        assert self._listener is not None
        loop = asyncio.get_running_loop()
        while True:
            conn, _addr = await loop.sock_accept(self._listener)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            task = asyncio.create_task(self._serve_connection(conn))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def close(self) -> None:
        """Stop listening and drop open connections."""
        if self._listener is not None:
            self._listener.close()
        for task in list(self._tasks):
            task.cancel()

    async def _first_byte(self, conn: socket.socket) -> int | None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(conn.fileno(), readable)
        try:
            await asyncio.wait_for(ready, timeout=60)
        finally:
            loop.remove_reader(conn.fileno())
        peeked = conn.recv(1, socket.MSG_PEEK)
        return peeked[0] if peeked else None

    async def _serve_connection(self, conn: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        try:
            first = await self._first_byte(conn)
        except (OSError, TimeoutError):
            conn.close()
            return
        if first is None:
            conn.close()
            return
        use_tls = first == _TLS_HANDSHAKE and self._tls is not None
        reader = asyncio.StreamReader(limit=_STREAM_LIMIT)
        protocol = asyncio.StreamReaderProtocol(reader)
        try:
            transport, _ = await loop.connect_accepted_socket(
                lambda: protocol, conn, ssl=self._tls if use_tls else None
            )
        except (OSError, ssl.SSLError) as exc:
            LOG.debug("connection setup failed: %s", exc)
            conn.close()
            return
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        await self._serve_requests(reader, writer, "https" if use_tls else "http")

    async def _serve_requests(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, scheme: str) -> None:
        try:
            while True:
                try:
                    request = await read_request(reader, scheme)
                except RefusedRequestError as refused:
                    await self._refuse(reader, writer, refused)
                    break
                if request is None:
                    break
                response = self._handler(request)
                keep_alive = request.keep_alive
                writer.write(encode_response(response, keep_alive=keep_alive, head_only=request.method == "HEAD"))
                await writer.drain()
                if not keep_alive:
                    break
        except (ProtocolError, ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, ValueError) as exc:
            LOG.debug("connection dropped: %s", exc)
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    @staticmethod
    async def _refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, refused: RefusedRequestError) -> None:
        """Answer a request refused from its head alone (413, bad framing), then close the connection."""
        body = {"code": refused.code, "message": refused.message}
        response = json_response(refused.status, body, {"x-ms-substatus": "0", "x-ms-request-charge": "0"})
        writer.write(encode_response(response, keep_alive=False))
        await writer.drain()
        discarded = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _DISCARD_SECONDS
        with contextlib.suppress(TimeoutError, ConnectionError, ssl.SSLError):
            while discarded < _DISCARD_BYTES and (remaining := deadline - loop.time()) > 0:
                chunk = await asyncio.wait_for(reader.read(256 * 1024), remaining)
                if not chunk:
                    break
                discarded += len(chunk)
