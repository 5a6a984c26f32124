"""Run the Service Bus emulator: ``python -m local_emulators.servicebus --help``."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from local_emulators.servicebus.config import ConfigError, load_config
from local_emulators.servicebus.config_models import DEFAULT_KEY, DEFAULT_KEY_NAME
from local_emulators.servicebus.errors import StoreError
from local_emulators.servicebus.settings import Settings, parse_args
from local_emulators.servicebus.wire.server import Emulator


async def _run(settings: Settings) -> None:
    config = load_config(settings.config)
    emulator = Emulator(settings, config)
    await emulator.start()
    shown_key = DEFAULT_KEY if config.keys.get(DEFAULT_KEY_NAME) == DEFAULT_KEY else "<your key>"
    certificate = emulator.management.certificate
    print(
        f"Service Bus emulator ready: amqp://{settings.host}:{emulator.port} "
        f"control http://{settings.host}:{emulator.control_port} "
        f"management https://{settings.host}:{emulator.management_port} (certificate {certificate})\n"
        f"Endpoint=sb://{settings.host}:{emulator.port};SharedAccessKeyName={DEFAULT_KEY_NAME};"
        f"SharedAccessKey={shown_key};UseDevelopmentEmulator=true;",
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await emulator.close()


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run until SIGINT/SIGTERM; exit 2 on a configuration, store or port error."""
    settings = parse_args(argv)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stdout)
    try:
        asyncio.run(_run(settings))
    except (ConfigError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # typically the port is taken
        print(
            f"error: cannot listen on {settings.host}:{settings.port}/{settings.control_port}"
            f"{'' if settings.management_port is None else f'/{settings.management_port}'}: {exc}",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
