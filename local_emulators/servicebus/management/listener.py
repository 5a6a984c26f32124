"""One listening port that tells TLS from anything else by the first byte a client sends.

A TLS connection starts with a handshake record (0x16). The management port serves HTTPS and plain HTTP
this way; the AMQP port hands TLS to the management API too, so the administration client works with the
same ``Endpoint=sb://host:5672`` connection string as the messaging client (AMQP itself starts ``AMQP``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from collections.abc import Awaitable, Callable

StreamHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
TLS_HANDSHAKE = 0x16
FIRST_BYTE_SECONDS = 60.0
log = logging.getLogger("local_emulators.servicebus")


class SniffingListener:
    """Accept connections on ``host:port`` and route each by its first byte.

    Args:
        host: Address to bind.
        port: Port to bind; 0 picks a free one.
        plain: Handles connections that do not start with TLS.
        tls: Handles TLS connections after the handshake (None: TLS goes to ``plain`` undecrypted).
        context: Gives the server-side TLS context (needed with ``tls``).
        limit: Stream buffer limit for the readers.
    """

    def __init__(
        self,
        host: str,
        port: int,
        plain: StreamHandler,
        tls: StreamHandler | None = None,
        context: Callable[[], Awaitable[ssl.SSLContext]] | None = None,
        limit: int = 1 << 16,
    ) -> None:
        self.plain, self.tls, self.context, self.limit = plain, tls, context, limit
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(512)
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        self.sock = sock
        self.port: int = sock.getsockname()[1]
        self._tasks: set[asyncio.Task[None]] = set()
        self._accepting: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start accepting (on the running loop)."""
        self._accepting = asyncio.ensure_future(self._accept())

    def _spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _accept(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                conn, _ = await loop.sock_accept(self.sock)
            except OSError as error:  # e.g. out of file descriptors: keep listening
                log.warning("accept failed: %s", error)
                await asyncio.sleep(0.1)
                continue
            self._spawn(self._route(conn))

    async def _route(self, conn: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        try:
            first = await self._first_byte(conn)
        except (OSError, TimeoutError):
            conn.close()
            return
        if first is None:
            conn.close()
            return
        use_tls = first == TLS_HANDSHAKE and self.tls is not None and self.context is not None
        reader = asyncio.StreamReader(limit=self.limit)
        protocol = asyncio.StreamReaderProtocol(reader)
        try:
            context = await self.context() if use_tls and self.context is not None else None
            transport, _ = await loop.connect_accepted_socket(lambda: protocol, conn, ssl=context)
        except (OSError, ssl.SSLError, TimeoutError) as error:
            log.debug("connection setup failed: %s", error)
            conn.close()
            return
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        handler = self.tls if use_tls and self.tls is not None else self.plain
        await handler(reader, writer)

    @staticmethod
    async def _first_byte(conn: socket.socket) -> int | None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(conn.fileno(), readable)
        try:
            await asyncio.wait_for(ready, timeout=FIRST_BYTE_SECONDS)
        finally:
            loop.remove_reader(conn.fileno())
        peeked = conn.recv(1, socket.MSG_PEEK)
        return peeked[0] if peeked else None

    def close(self) -> None:
        """Stop listening; connections being served run on until the loop ends, as with asyncio servers."""
        if self._accepting is not None:
            self._accepting.cancel()
        with contextlib.suppress(OSError):
            self.sock.close()
