"""Run the Cosmos DB emulator: `python -m local_emulators.cosmos --help`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import signal
import sys
from pathlib import Path

from local_emulators.cosmos.auth import WELL_KNOWN_KEY
from local_emulators.cosmos.backend.state import DEFAULT_PARTITIONS, AccountState
from local_emulators.cosmos.routes import CosmosApp
from local_emulators.cosmos.server import CosmosServer

LOG = logging.getLogger("local_emulators.cosmos")


def _positive(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 256:
        raise argparse.ArgumentTypeError("must be between 1 and 256")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m local_emulators.cosmos",
        description=(
            "Azure Cosmos DB (NoSQL API) emulator for the unmodified azure-cosmos SDKs. Serves HTTP and HTTPS on "
            "the same port (a self-signed certificate is created once in the data directory), persists every "
            "acknowledged write to SQLite, and offers a test control plane under /_emulator/ "
            "(health, reset, fault injection)."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; keep it local)")
    parser.add_argument("--port", type=int, default=8081, help="TCP port for HTTP and HTTPS (default 8081)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(".data/cosmos"),
        help="directory for the SQLite database and the TLS certificate (default .data/cosmos)",
    )
    parser.add_argument(
        "--in-memory",
        action="store_true",
        help="keep data in memory only (lost on exit); the certificate still goes to --data-dir",
    )
    parser.add_argument(
        "--key",
        default=WELL_KNOWN_KEY,
        help="base64 account key clients sign with (default: the well-known emulator key)",
    )
    parser.add_argument("--no-tls", action="store_true", help="serve plain HTTP only (no certificate is created)")
    parser.add_argument(
        "--strict-queries",
        action="store_true",
        help="reject queries real Azure rejects although the emulator could run them (cross-partition GROUP BY)",
    )
    parser.add_argument(
        "--partitions",
        type=_positive,
        default=DEFAULT_PARTITIONS,
        help=(
            "physical partitions (partition key ranges) per container, at least; by default a container gets "
            "Azure's layout from its throughput (one range up to 6,000 RU/s or in a shared-throughput database); "
            "more ranges make cross-partition queries run through the SDK's own query pipeline"
        ),
    )
    parser.add_argument(
        "--no-date-check",
        action="store_true",
        help="accept request signatures whose x-ms-date is more than 15 minutes off",
    )
    parser.add_argument(
        "--ttl-sweep-seconds",
        type=float,
        default=5.0,
        help="seconds between deletions of expired items from storage; they vanish from reads at once (default 5)",
    )
    parser.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    return parser.parse_args(argv)


async def _sweep_expired(state: AccountState, interval: float) -> None:
    """Expired items are hidden at once; this deletes them from storage now and then."""
    while True:
        await asyncio.sleep(interval)
        try:
            state.purge_expired()
        except Exception:
            LOG.exception("TTL sweep failed")


async def _serve(args: argparse.Namespace) -> None:
    state = AccountState(
        None if args.in_memory else args.data_dir, strict_queries=args.strict_queries, partitions=args.partitions
    )
    # Loaded documents live as long as the process; keep the garbage collector from rescanning them.
    gc.freeze()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        LOG.warning("listening on %s: the /_emulator/ control plane (reset, faults) has no auth", args.host)
    tls = None
    if not args.no_tls:
        from local_emulators.cosmos.tls import server_context

        tls = server_context(args.data_dir)
    server = CosmosServer(CosmosApp(state, args.key, check_date=not args.no_date_check), args.host, args.port, tls)
    server.bind()
    schemes = "http" if tls is None else "http and https"
    key_note = args.key if args.key == WELL_KNOWN_KEY else "<the key given with --key>"
    print(f"Cosmos DB emulator listening on {args.host}:{server.port} ({schemes})", flush=True)
    print(f"AccountEndpoint=http://{args.host}:{server.port}/;AccountKey={key_note};", flush=True)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    serving = asyncio.create_task(server.serve_forever())
    sweeping = asyncio.create_task(_sweep_expired(state, args.ttl_sweep_seconds))
    await stop.wait()
    server.close()
    for task in (serving, sweeping):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    state.store.close()


def main(argv: list[str] | None = None) -> int:
    """Run the emulator until SIGINT or SIGTERM; returns the exit status."""
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(_serve(args))
    except OSError as exc:
        print(f"cannot start the Cosmos DB emulator: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
