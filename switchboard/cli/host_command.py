"""`switchboard host`: the local stand-in for `func start` (Azure Functions Core Tools is not needed)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated

import typer

from switchboard.local_host.errors import LocalHostError
from switchboard.local_host.lifecycle import HostOptions, LocalHost


def host(
    port: Annotated[int, typer.Option(help="HTTP port of the HTTP-triggered functions; 0 picks a free port.")] = 7071,
    script_root: Annotated[
        Path, typer.Option(help="Directory holding function_app.py, host.json and local.settings.json.")
    ] = Path("."),
    grace_seconds: Annotated[
        float, typer.Option(help="On SIGTERM/SIGINT, seconds in-flight invocations get before they are abandoned.")
    ] = 20.0,
    log_level: Annotated[
        str, typer.Option(help="Logging level; DEBUG adds the traceback of each failed invocation.")
    ] = "INFO",
) -> None:
    """Run a Python v2 function_app.py locally: Service Bus triggers (sessions too) and HTTP triggers.

    Settings come from the environment, then local.settings.json Values. Exit code 2 when the app fails to load or
    validate, a setting is missing, or the port is taken.
    """
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("azure", "uamqp", "grpc", "httpx"):  # SDK chatter (connections, requests) hides invocation lines
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        asyncio.run(LocalHost(HostOptions(script_root=script_root, port=port, grace_seconds=grace_seconds)).run())
    except LocalHostError as error:
        typer.echo(f"switchboard host: {error}", err=True)
        raise typer.Exit(2) from None
