"""`switchboard run`'s default path: the task through Service Bus, agents as functions, the run followed in Cosmos.

It starts the local emulators and `switchboard host` on the app's `function_app.py` (the same processes a
developer runs by hand), posts the task to the `tasks` queue exactly as `switchboard submit` does, prints each
transcript entry as the agents commit it to Cosmos DB, then the report and the token usage, and stops everything.
When the run waits for a person (`awaiting_input`), the question is shown and the answer read from stdin.
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Mapping
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from switchboard.cli.entity_drift import COMMITTED_ENTITIES, drift
from switchboard.cli.human_prompt import TerminalPrompter
from switchboard.cli.local_stack import LocalStack
from switchboard.cli.run_client import RunClient
from switchboard.cli.run_render import EntryPrinter, print_outcome
from switchboard.cli.team_choice import load_registry
from switchboard.functions.entities import entities_for
from switchboard.hosting.settings import HostingSettings

if TYPE_CHECKING:
    from switchboard.teams.spec import TeamSpec

RUN_TIMEOUT = 1800.0
"""How long the CLI follows a run before giving up (the run itself goes on in the host until it ends)."""


async def run_serverless(
    console: Console, task: str, spec: TeamSpec, *, model_script: Path | None, model_env: dict[str, str]
) -> dict[str, Any]:
    """Run `task` on team `spec` through the local serverless stack and print it live.

    Args:
        console: Where to print.
        task: What the team should do.
        spec: The team; the app's `function_app.py` must offer a team of this name.
        model_script: With the scripted model, its script (served by the emulators' scripted model server).
        model_env: Model settings for the host (an endpoint the CLI resolved or started).

    Returns:
        The finished run, as `GET /api/runs/{id}` returns it.
    """
    listed = entities_for(load_registry())
    stale = drift(COMMITTED_ENTITIES, listed)  # relative: the app is the current directory
    if stale is not None:
        console.print(f"[yellow]note:[/] {stale}; this run creates the registry's entities", soft_wrap=True)
    stack = LocalStack(Path.cwd(), model_script=model_script, model_env=model_env, entities_json=listed.to_json())
    async with AsyncExitStack() as exits:
        with console.status("[dim]starting the Service Bus and Cosmos DB emulators and the Functions host…[/]"):
            await asyncio.to_thread(stack.start)
        exits.callback(stack.stop)
        console.print(f"[dim]functions host: {stack.host_url} · emulators and logs in {stack.workdir}[/]")
        # Exactly the local stack's values: a developer's exported Azure settings must not redirect the CLI.
        settings = HostingSettings.model_validate(stack.values)
        client = await exits.enter_async_context(RunClient.open(settings))
        run_id = await client.submit(task, spec.name)
        console.print(f"[dim]posted to Service Bus queue 'tasks' as run {run_id}; following it in Cosmos DB…[/]")
        prompter = TerminalPrompter(console, settings_file=stack.settings_file)

        async def on_input(pending: Mapping[str, Any]) -> None:
            # The run is paused in Cosmos DB: answer it as `switchboard runs reply` would.
            body = await prompter.answer_hosted(run_id, pending)
            if body is not None:
                await client.reply(run_id, body)

        view = await client.follow(run_id, EntryPrinter(console), max_wait=RUN_TIMEOUT, on_input=on_input)
    print_outcome(console, view, spec.report_author)
    # The emulators stopped with the run, but its telemetry is stored: serve it again on the same port to open the
    # page, or print the span tree.
    data = shlex.quote(str(stack.appinsights_data))
    serve = f"python -m local_emulators.appinsights --port {stack.appinsights_port} --data-dir {data}"
    console.print(f"traces of this run (local App Insights): {stack.run_page(run_id)}", soft_wrap=True)
    console.print(f"  the emulators have stopped; serve the page again: {serve}", soft_wrap=True)
    console.print(
        f"  or print the run's span tree: python -m local_emulators.appinsights show {run_id} --data-dir {data}",
        soft_wrap=True,
    )
    return view
