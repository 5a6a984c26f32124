"""Run the App Insights emulator (`python -m local_emulators.appinsights --help`) or print a run (`... show RUN_ID`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from local_emulators.appinsights import show
from local_emulators.appinsights.errors import StoreError
from local_emulators.appinsights.settings import DEFAULT_IKEY, DEFAULT_PORT, Limits, Settings
from local_emulators.appinsights.wire.server import serve


def parse_args(argv: list[str]) -> Settings:
    """Parse the serve command line into `Settings`."""
    parser = argparse.ArgumentParser(
        prog="python -m local_emulators.appinsights",
        description=(
            "A local Application Insights ingestion endpoint for the Azure Monitor exporters: /v2.1/track and "
            "/v2/track (JSON array, object or NDJSON, gzip), envelopes stored in SQLite, run pages at / and "
            "/runs/<id>, JSON at /api/runs. 'show RUN_ID' prints a run's span tree."
        ),
        epilog=f"Connect with: InstrumentationKey={DEFAULT_IKEY};IngestionEndpoint=http://127.0.0.1:<port>/;"
        "LiveEndpoint=http://127.0.0.1:<port>/",
    )
    defaults = Limits()
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port; 0 picks a free one (default %(default)s)")
    parser.add_argument("--data-dir", type=Path, default=Path(".data/appinsights"), help="SQLite store directory")
    parser.add_argument("--in-memory", action="store_true", help="keep telemetry in memory only")
    parser.add_argument(
        "--ikey", action="append", help=f"accepted instrumentation key, repeatable (default {DEFAULT_IKEY})"
    )
    parser.add_argument("--max-body-bytes", type=int, default=defaults.max_body_bytes, help="also after gunzip")
    parser.add_argument("--max-items-per-request", type=int, default=defaults.max_items_per_request)
    parser.add_argument("--max-stored-items", type=int, default=defaults.max_stored_items, help="then evict")
    parser.add_argument("--max-stored-bytes", type=int, default=defaults.max_stored_bytes, help="then evict")
    parser.add_argument("--max-concurrent-requests", type=int, default=defaults.max_concurrent_requests)
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    limits = Limits(
        max_body_bytes=args.max_body_bytes,
        max_items_per_request=args.max_items_per_request,
        max_stored_items=args.max_stored_items,
        max_stored_bytes=args.max_stored_bytes,
        max_concurrent_requests=args.max_concurrent_requests,
    )
    return Settings(
        host=args.host,
        port=args.port,
        data_dir=None if args.in_memory else args.data_dir,
        ikeys=frozenset(args.ikey or [DEFAULT_IKEY]),
        limits=limits,
    )


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGINT/SIGTERM (exit 2 when the port is taken or the store unusable), or run `show`."""
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["show"]:
        return show.main(arguments[1:])
    settings = parse_args(arguments)
    try:
        asyncio.run(serve(settings))
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot listen on {settings.host}:{settings.port}: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
