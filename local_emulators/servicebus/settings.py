"""Command-line settings of the Service Bus emulator."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CONFIG = Path(__file__).with_name("default_config.json")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5672
DEFAULT_CONTROL_PORT = 5300


@dataclass(frozen=True)
class Settings:
    """How to run the emulator.

    Attributes:
        host: Interface to bind (loopback only unless you mean it).
        port: AMQP port; 0 picks a free one.
        control_port: HTTP control-plane port; 0 picks a free one. It also serves the management API.
        management_port: A separate port for the management API (HTTPS and HTTP); None shares the
            control port, as Microsoft's emulator serves both on 5300; 0 picks a free one.
        config: Entity configuration file in Microsoft's emulator Config.json format.
        data_dir: Directory of the durable store; None keeps everything in memory.
        log_level: Logging level name.
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    control_port: int = DEFAULT_CONTROL_PORT
    management_port: int | None = None
    config: Path = DEFAULT_CONFIG
    data_dir: Path | None = None
    log_level: str = "INFO"


def parse_args(argv: list[str] | None = None) -> Settings:
    """Parse the command line into `Settings`."""
    parser = argparse.ArgumentParser(
        prog="python -m local_emulators.servicebus",
        description="A pure-Python Service Bus emulator speaking AMQP 1.0 to the unmodified Azure SDKs. "
        "Connect with: Endpoint=sb://127.0.0.1:<port>;SharedAccessKeyName=RootManageSharedAccessKey;"
        "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;",
        epilog="Set SB_EMULATOR_TRACE=1 (with --log-level DEBUG) to log every AMQP frame.",
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help="interface to bind the AMQP and control ports to (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help="AMQP port (plain TCP, no TLS); 0 picks a free port and prints it (default: %(default)s)",
    )
    parser.add_argument(
        "--control-port",
        type=int,
        default=DEFAULT_CONTROL_PORT,
        help="HTTP control plane port: GET /health, GET /entities, POST /reset; "
        "0 picks a free port and prints it (default: %(default)s)",
    )
    parser.add_argument(
        "--management-port",
        type=int,
        default=None,
        help="port of the management API that ServiceBusAdministrationClient speaks (ATOM over HTTPS, or HTTP); "
        "0 picks a free port (default: the control port, 5300, as on Microsoft's emulator; the AMQP port "
        "also answers it over TLS, so one connection string serves both clients)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        help="entity configuration in Microsoft's Service Bus emulator Config.json format, "
        "// comments allowed (default: the bundled default_config.json)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="directory for the durable SQLite store; every acknowledged message survives a "
        "crash; without it nothing outlives the process",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="logging level; INFO logs one line per connection (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    return Settings(
        host=args.host,
        port=args.port,
        control_port=args.control_port,
        management_port=args.management_port,
        config=args.config,
        data_dir=args.data_dir,
        log_level=args.log_level,
    )
