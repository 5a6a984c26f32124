"""`python -m local_emulators up`: start every emulator and print the settings that reach them."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from local_emulators.launcher import EmulatorGroup, LaunchError, default_specs


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m local_emulators",
        description="Local emulators of Azure Service Bus and Cosmos DB that the unmodified Azure SDKs connect to.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser(
        "up",
        help="start all emulators, print their connection settings, and stop them on Ctrl-C",
        description="Start all emulators as separate processes and keep them running until Ctrl-C or SIGTERM.",
    )
    up.add_argument("--host", default="127.0.0.1", help="address every emulator binds (default 127.0.0.1)")
    up.add_argument("--servicebus-port", type=int, default=5672, help="Service Bus AMQP port (default 5672)")
    up.add_argument("--cosmos-port", type=int, default=8081, help="Cosmos DB HTTP/HTTPS port (default 8081)")
    up.add_argument(
        "--data-dir",
        type=Path,
        default=Path(".data"),
        help="where each emulator keeps its data and log (default .data)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = _parser().parse_args(argv)
    group = EmulatorGroup(
        default_specs(servicebus_port=args.servicebus_port, cosmos_port=args.cosmos_port),
        host=args.host,
        data_dir=args.data_dir,
    )
    started = time.monotonic()
    try:
        group.start()
    except LaunchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"emulators ready in {time.monotonic() - started:.2f}s; logs in {args.data_dir}/", flush=True)
    for name, value in group.settings().items():
        print(f"{name}={value}", flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in group.processes.values()):
            time.sleep(0.5)
        print("error: an emulator stopped unexpectedly", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        group.stop()


if __name__ == "__main__":
    sys.exit(main())
