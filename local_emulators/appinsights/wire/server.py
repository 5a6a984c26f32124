"""Run the emulator's HTTP server until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import signal

from aiohttp import web

from local_emulators.appinsights.backend.ingestion import Ingestor
from local_emulators.appinsights.backend.store import TelemetryStore
from local_emulators.appinsights.settings import Settings
from local_emulators.appinsights.wire.routes import build_app


async def serve(settings: Settings) -> None:
    """Open the store, listen, print the connection string, and serve until a stop signal.

    Raises:
        StoreError: The data directory cannot hold the store.
        OSError: The port cannot be bound (typically: taken).
    """
    limits = settings.limits
    store = TelemetryStore(settings.data_dir, max_items=limits.max_stored_items, max_bytes=limits.max_stored_bytes)
    # auto_decompress off: the ingestion route inflates gzip itself, with a cap (a gzip bomb is refused early).
    runner = web.AppRunner(build_app(Ingestor(store, settings.ikeys, limits), settings), auto_decompress=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.host, settings.port, backlog=256)
        await site.start()
        port = int(runner.addresses[0][1])
        print(
            f"App Insights emulator listening on http://{settings.host}:{port}/ "
            f"({store.items} stored items; waterfall pages at /runs/<run id>)\n"
            f"APPLICATIONINSIGHTS_CONNECTION_STRING={settings.connection_string(port)}",
            flush=True,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()
        store.close()
