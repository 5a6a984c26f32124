"""`python -m local_emulators.appinsights show RUN_ID`: print a run's span tree from the store or a running emulator."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

from local_emulators.appinsights.backend.queries import find_run
from local_emulators.appinsights.backend.store import TelemetryStore
from local_emulators.appinsights.errors import AppInsightsEmulatorError, RunNotFoundError
from local_emulators.appinsights.views.text_tree import render_run


def _from_url(url: str, run: str) -> dict[str, Any]:
    address = f"{url.rstrip('/')}/api/runs/{quote(run, safe='')}"
    try:
        with urllib.request.urlopen(address, timeout=10) as reply:
            document: dict[str, Any] = json.load(reply)
            return document
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise RunNotFoundError(f"no telemetry for run {run!r} at {url}") from error
        raise AppInsightsEmulatorError(f"{address} answered {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise AppInsightsEmulatorError(f"cannot reach the emulator at {url}: {error}") from error


def _from_store(data_dir: Path, run: str) -> dict[str, Any]:
    store = TelemetryStore(data_dir, read_only=True)
    try:
        return find_run(store, run).to_json()
    finally:
        store.close()


def main(argv: list[str]) -> int:
    """Parse `show` arguments and print the run; exit 1 when the run or the store is not found."""
    parser = argparse.ArgumentParser(
        prog="python -m local_emulators.appinsights show",
        description="Print a run's span tree with durations, tokens and errors, then its agents.",
    )
    parser.add_argument("run", metavar="RUN_ID", help="the run id (switchboard.run_id / operation name) or trace id")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data-dir", type=Path, help="read the emulator's store directly (default .data/appinsights)")
    source.add_argument("--url", help="ask a running emulator, e.g. http://127.0.0.1:8087")
    parser.add_argument("--json", action="store_true", help="print the run as JSON instead")
    args = parser.parse_args(argv)
    try:
        if args.url:
            run = _from_url(args.url, args.run)
        else:
            run = _from_store(args.data_dir or Path(".data/appinsights"), args.run)
    except AppInsightsEmulatorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(json.dumps(run, indent=2) + "\n" if args.json else render_run(run))
    return 0
