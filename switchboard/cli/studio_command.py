"""`switchboard studio`: serve Switchboard Studio, the web UI, over the local stack or a deployment's HTTP API.

`--local` starts the emulators and `switchboard host` as `switchboard run` does (same `--model` choices; with
`scripted`, one script answers every team of the registry) and gives the host a fresh host key that only the studio
server knows. `--api URL` points at a deployed Function App, authenticated by a function key (`--key`) or an
Entra ID token (`--entra-scope`). Either way the browser talks only to the studio (docs/studio.md).
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import signal
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Annotated

import typer
from aiohttp import web
from rich.console import Console

from switchboard.cli.run_command import ModelChoice, _hosted_model_env
from switchboard.errors import SwitchboardError
from switchboard.studio import ApiAuth, FunctionAppApi, StudioConfig, StudioError, studio_app
from switchboard.studio.api_client import entra_token_source

PORTAL_SEARCH = (
    "https://portal.azure.com/#blade/HubsExtension/BrowseResource/resourceType/microsoft.insights%2Fcomponents"
)
"""The deployment's default trace link: the portal's Application Insights list (pick the app, then Transaction
search for the run id); `--trace-url` with `{run_id}` gives a direct link instead."""


def studio(
    local: Annotated[
        bool, typer.Option("--local", help="Start the local stack (emulators and host) and use it.")
    ] = False,
    api: Annotated[
        str | None, typer.Option(help="A deployed Function App's URL, e.g. https://APP.azurewebsites.net.")
    ] = None,
    key: Annotated[
        str | None, typer.Option(envvar="SWITCHBOARD_API_KEY", help="The app's function key (x-functions-key).")
    ] = None,
    entra_scope: Annotated[
        str | None, typer.Option(help="Authenticate with Entra ID instead: the token scope, e.g. api://ID/.default.")
    ] = None,
    port: Annotated[int, typer.Option(help="The studio's port on 127.0.0.1.")] = 7080,
    model: Annotated[ModelChoice, typer.Option(help="With --local: auto, local or scripted (as switchboard run).")] = (
        ModelChoice.AUTO
    ),
    trace_url: Annotated[
        str | None, typer.Option(help="The Trace link of a run, with {run_id} in it (default: see docs/studio.md).")
    ] = None,
    price_input: Annotated[
        float, typer.Option(envvar="SWITCHBOARD_MODEL_PRICE_INPUT", help="USD per million prompt tokens.")
    ] = 0.0,
    price_output: Annotated[
        float, typer.Option(envvar="SWITCHBOARD_MODEL_PRICE_OUTPUT", help="USD per million completion tokens.")
    ] = 0.0,
) -> None:
    """Serve Switchboard Studio on http://127.0.0.1:PORT: start, follow, answer and cancel runs in a browser."""
    console = Console()
    if local == (api is not None):
        console.print("[bold red]error:[/] pass either --local or --api URL")
        raise typer.Exit(2)
    prices = (price_input, price_output)
    try:
        asyncio.run(_serve(console, local, api, key, entra_scope, port, model, trace_url, prices))
    except KeyboardInterrupt:
        pass
    except SwitchboardError as error:
        console.print(f"[bold red]error:[/] {error.reason}")
        raise typer.Exit(1) from error


async def _serve(
    console: Console,
    local: bool,
    api: str | None,
    key: str | None,
    entra_scope: str | None,
    port: int,
    model: ModelChoice,
    trace_url: str | None,
    prices: tuple[float, float],
) -> None:
    async with AsyncExitStack() as stack:
        if local:
            base, auth, trace, target = await _local_stack(console, model, stack)
        else:
            assert api is not None
            if not api.startswith(("https://", "http://")):
                raise StudioError(f"--api must be an http(s) URL, not {api!r}")
            auth = ApiAuth(key=key, token=entra_token_source(entra_scope) if entra_scope else None)
            base, trace, target = api, PORTAL_SEARCH, api
        config = StudioConfig(
            trace_url=trace_url or trace, target=target, price_input=prices[0], price_output=prices[1]
        )
        runner = web.AppRunner(studio_app(FunctionAppApi(base, auth), config), access_log=None)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        try:
            await web.TCPSite(runner, "127.0.0.1", port).start()
        except OSError as error:
            raise StudioError(f"cannot listen on 127.0.0.1:{port}: {error.strerror}") from error
        console.print(f"[bold green]Switchboard Studio[/] on http://127.0.0.1:{port}/ (Ctrl-C stops it)")
        stopped = asyncio.Event()
        # SIGTERM stops as Ctrl-C does: the local stack's emulators and host are ended, not orphaned.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
        await stopped.wait()


async def _local_stack(console: Console, model: ModelChoice, stack: AsyncExitStack) -> tuple[str, ApiAuth, str, str]:
    """Start the emulators and the host; returns the host URL, its auth, the trace link and the header text."""
    from switchboard.cli.demo_scripts import combined_demo_script
    from switchboard.cli.entity_drift import COMMITTED_ENTITIES, drift
    from switchboard.cli.local_stack import LocalStack
    from switchboard.cli.team_choice import load_registry
    from switchboard.functions.entities import entities_for

    registry = load_registry()
    listed = entities_for(registry)
    stale = drift(COMMITTED_ENTITIES, listed)
    if stale is not None:
        console.print(f"[yellow]note:[/] {stale}; the studio creates the registry's entities", soft_wrap=True)
    host_key = secrets.token_urlsafe(24)  # known to the host and the studio server only
    script: Path | None = None
    model_env: dict[str, str] = {}
    if model is ModelChoice.SCRIPTED:
        folder = Path(tempfile.mkdtemp(prefix="switchboard-studio-"))
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        script = combined_demo_script(registry, folder / "demo.json")
        console.print(f"[dim]model: scripted replay of every team's demo script ({', '.join(registry)})[/]")
    else:
        model_env = await _hosted_model_env(console, model, stack)
    local_stack = LocalStack(
        Path.cwd(),
        model_script=script,
        model_env={**model_env, "SWITCHBOARD_HOST_KEY": host_key},
        entities_json=listed.to_json(),
    )
    with console.status("[dim]starting the Service Bus and Cosmos DB emulators and the Functions host…[/]"):
        await asyncio.to_thread(local_stack.start)
    stack.callback(local_stack.stop)
    console.print(f"[dim]functions host: {local_stack.host_url} · emulators and logs in {local_stack.workdir}[/]")
    trace = f"http://127.0.0.1:{local_stack.appinsights_port}/runs/{{run_id}}"
    return local_stack.host_url, ApiAuth(key=host_key), trace, "local stack"
