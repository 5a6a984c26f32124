"""The emulator process: AMQP listener, control plane, clock tick, durable store."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from local_emulators.servicebus.broker.bootstrap import build_broker
from local_emulators.servicebus.broker.namespace import Broker
from local_emulators.servicebus.broker.store import SqliteStore
from local_emulators.servicebus.config_models import NamespaceConfig
from local_emulators.servicebus.management.listener import SniffingListener
from local_emulators.servicebus.management.service import ManagementService, open_listeners
from local_emulators.servicebus.settings import Settings
from local_emulators.servicebus.wire.connection import Connection
from local_emulators.servicebus.wire.context import WireContext

TICK_SECONDS = 0.05
log = logging.getLogger("local_emulators.servicebus")


RELAY_BACKLOG = 1 << 20


async def _copy(source: asyncio.StreamReader, target: asyncio.StreamReader) -> None:
    # A fed StreamReader has no flow control of its own: hold back while the reader is this far behind,
    # so a client streaming to the management API cannot grow the relay without bound.
    while True:
        if len(getattr(target, "_buffer", b"")) > RELAY_BACKLOG:
            await asyncio.sleep(0.01)
            continue
        chunk = await source.read(1 << 16)
        if not chunk:
            break
        target.feed_data(chunk)
    target.feed_eof()


class Emulator:
    """A running Service Bus emulator.

    Args:
        settings: Where to listen and store.
        config: The entities.
    """

    def __init__(self, settings: Settings, config: NamespaceConfig) -> None:
        self.settings = settings
        self.store = SqliteStore(settings.data_dir) if settings.data_dir is not None else None
        self.broker: Broker = build_broker(config, self.store)
        self.ctx = WireContext(broker=self.broker, keys=dict(config.keys))
        self.config = config
        # Before the messages come back: entities created through the management API must exist again.
        self.management = ManagementService(
            self.broker,
            config,
            dict(config.keys),
            self.ctx.now_ms,
            self.ctx.clock,
            settings.data_dir,
            self.ctx.faults,
        )
        if self.store is not None:
            self._restore(self.store)
            self.ctx.committed = self.store.committed
        self._servers: list[SniffingListener] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = settings.port
        self.control_port = settings.control_port
        self.management_port = settings.management_port or settings.control_port

    def _restore(self, store: SqliteStore) -> None:
        count = 0
        for path, message in store.load_messages():
            self.broker.restore(path, message)
            count += 1
        for path, session_id, state in store.load_sessions():
            queue = self.broker.receivers.get(path.lower())
            if queue is not None:
                queue.sessions.get(session_id).state = state
        for path, last in store.load_counters().items():
            entity = self.broker.receivers.get(path.lower()) or self.broker.senders.get(path.lower())
            if entity is not None:
                entity.next_seq = max(entity.next_seq, last + 1)
        if count:
            log.info("restored %d messages from %s", count, self.settings.data_dir)

    async def start(self) -> None:
        """Open the AMQP, control and management ports and start the clock."""
        amqp, control, management = open_listeners(self.settings, self.management, self._serve_connection)
        amqp.tls = self._serve_tls  # AMQP over TLS (uAMQP only speaks amqps) next to HTTPS management
        self._servers = list(dict.fromkeys([amqp, control, management]))
        for server in self._servers:
            server.start()
        self.management.prepare_tls()
        self.port, self.control_port, self.management_port = amqp.port, control.port, management.port
        self._spawn(self._tick())

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await Connection(reader, writer, self.ctx).run()

    async def _serve_tls(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """A TLS connection on the AMQP port: AMQP when it starts with the AMQP header, else HTTPS management."""
        first = await reader.read(8)
        if first.startswith(b"A"):  # no HTTP method starts with "A"; every AMQP header does
            await Connection(reader, writer, self.ctx, first=first).run()
            return
        assert self.management is not None
        relay = asyncio.StreamReader(limit=1 << 16)
        relay.feed_data(first)
        copying = asyncio.get_running_loop().create_task(_copy(reader, relay))
        try:
            await self.management.serve(relay, writer)
        finally:
            copying.cancel()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            try:
                self.broker.tick(self.ctx.now_ms())
            except Exception:  # the clock must keep running whatever one entity does
                log.exception("tick failed")

    async def close(self) -> None:
        """Stop listening and write what is pending."""
        for server in self._servers:
            server.close()
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.store is not None:
            self.store.close()
