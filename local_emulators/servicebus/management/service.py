"""Composition of the management API: catalog, routes, TLS, and the listeners it shares ports with."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable
from pathlib import Path

from local_emulators.servicebus.broker.namespace import Broker
from local_emulators.servicebus.config_models import NamespaceConfig
from local_emulators.servicebus.control import ControlPlane
from local_emulators.servicebus.management.catalog import Catalog
from local_emulators.servicebus.management.http import serve_http
from local_emulators.servicebus.management.listener import SniffingListener, StreamHandler
from local_emulators.servicebus.management.persistence import ENTITIES_FILE, SavedEntities
from local_emulators.servicebus.management.routes import ManagementApi
from local_emulators.servicebus.management.tls import CERT_FILE, certificate_dir, server_context
from local_emulators.servicebus.settings import Settings
from local_emulators.servicebus.wire.faults import FaultSwitch


class ManagementService:
    """The management API over one broker, ready to serve connections.

    Args:
        broker: The live broker.
        config: The configuration it was built from.
        keys: Shared access key name → key.
        now_ms: The clock in ms.
        clock: The clock in seconds (token expiry).
        data_dir: Where the TLS certificate and the entities made through the API are kept (None: the
            certificate goes to a fixed place under the temp directory, and entities live in memory).
        faults: The wire's fault switch the control plane's `/faults/...` act on.
    """

    def __init__(
        self,
        broker: Broker,
        config: NamespaceConfig,
        keys: dict[str, str],
        now_ms: Callable[[], int],
        clock: Callable[[], float] = time.time,
        data_dir: Path | None = None,
        faults: FaultSwitch | None = None,
    ) -> None:
        self.catalog = Catalog(broker, config, now_ms)
        if data_dir is not None:
            SavedEntities(self.catalog, data_dir / ENTITIES_FILE).restore()
        self.api = ManagementApi(self.catalog, keys, config.name, ControlPlane(broker, now_ms, faults), clock)
        self.directory = certificate_dir(data_dir)
        self.certificate: Path = self.directory / CERT_FILE
        self._context: asyncio.Future[ssl.SSLContext] | None = None

    def prepare_tls(self) -> None:
        """Load (or on first use create) the certificate in a thread, so that startup does not wait for it."""
        if self._context is None:
            self._context = asyncio.ensure_future(asyncio.to_thread(server_context, self.directory))

    async def tls_context(self) -> ssl.SSLContext:
        """The server-side TLS context, once ready."""
        self.prepare_tls()
        assert self._context is not None
        return await self._context

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one HTTP or HTTPS connection."""
        await serve_http(reader, writer, self.api)


def open_listeners(
    settings: Settings, service: ManagementService, amqp: StreamHandler
) -> tuple[SniffingListener, SniffingListener, SniffingListener]:
    """Bind the AMQP, control and management ports (the last two are one unless told apart).

    The AMQP port hands TLS connections to the management API; the control port serves the control plane
    and the management API over HTTP and HTTPS, as Microsoft's emulator serves both on 5300.

    Returns:
        The AMQP, control and management listeners (the same object twice when the ports coincide).

    Raises:
        OSError: A port cannot be bound.
    """
    host = settings.host
    listeners: list[SniffingListener] = []
    try:
        amqp_listener = SniffingListener(host, settings.port, amqp, service.serve, service.tls_context, 1 << 22)
        listeners.append(amqp_listener)
        control = SniffingListener(host, settings.control_port, service.serve, service.serve, service.tls_context)
        listeners.append(control)
        management = control
        wanted = settings.management_port
        if wanted is not None and (wanted == 0 or wanted != settings.control_port):
            management = SniffingListener(host, wanted, service.serve, service.serve, service.tls_context)
    except OSError:
        for listener in listeners:
            listener.close()
        raise
    return amqp_listener, control, management
