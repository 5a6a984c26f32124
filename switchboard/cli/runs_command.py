"""`switchboard submit` and `switchboard runs list|show|cancel|reply`: runs of the serverless deployment.

They reach the same Service Bus namespace and Cosmos account as the Function App, with the settings from the
environment and then `local.settings.json` (`--settings`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from switchboard.cli.hosted_settings import DEFAULT_SETTINGS_FILE, SettingsFileOption, load_settings
from switchboard.cli.infra_command import load_teams
from switchboard.cli.question_choice import choose_question, show_questions
from switchboard.cli.run_client import RunClient
from switchboard.cli.run_render import EntryPrinter, print_outcome, print_status
from switchboard.cli.team_choice import DEFAULT_REGISTRY
from switchboard.errors import SwitchboardError
from switchboard.hosting.ingress_rules import InvalidRequestError, run_id_for_key
from switchboard.hosting.input_reply import answer_body
from switchboard.hosting.open_questions import open_questions
from switchboard.hosting.run_status import TERMINAL_STATUSES, RunStatus
from switchboard.hosting.task_request import InvalidTaskError, task_request

T = TypeVar("T")
RegistryOption = Annotated[str, typer.Option(help="module:attribute of the teams mapping (name → TeamSpec)")]

runs_app = typer.Typer(
    name="runs", help="Runs of the serverless deployment, read from Cosmos DB.", no_args_is_help=True
)


def run_async(console: Console, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a command's coroutine; a Switchboard error becomes `error: <reason>` and exit code 1."""
    try:
        return asyncio.run(work())
    except SwitchboardError as error:
        console.print(f"[bold red]error:[/] {error.reason}")
        raise typer.Exit(1) from error
    except TimeoutError as error:
        console.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(1) from error


def submit(
    task: Annotated[str, typer.Argument(help="What the team should do.")],
    team: Annotated[str | None, typer.Option(help="The team (default: the registry's first team).")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Follow the run live and print its report.")] = False,
    timeout: Annotated[float, typer.Option(help="With --wait: give up after this many seconds.")] = 600.0,
    idempotency_key: Annotated[
        str | None,
        typer.Option(
            "--idempotency-key",
            help="Submit at most once per key: a retry with the same key names the same run (as the HTTP header).",
        ),
    ] = None,
    settings_file: SettingsFileOption = DEFAULT_SETTINGS_FILE,
    registry: RegistryOption = DEFAULT_REGISTRY,
) -> None:
    """Post TASK to the `tasks` queue as a new run (run id = MessageId); with --wait, follow it to its report."""
    console = Console()
    teams = load_teams(registry)
    try:
        request = task_request({"task": task, "team": team}, teams=teams, default_team=next(iter(teams), None))
    except InvalidTaskError as error:
        raise typer.BadParameter(error.reason, param_hint="--team" if "team" in error.reason else "TASK") from None
    if idempotency_key is not None:
        try:
            run_id_for_key(idempotency_key)
        except InvalidRequestError as error:
            raise typer.BadParameter(error.reason, param_hint="--idempotency-key") from None
    chosen = request.team

    async def work() -> dict[str, Any] | None:
        async with RunClient.open(load_settings(settings_file)) as client:
            submitted = await client.submit_request(request, idempotency_key=idempotency_key)
            run_id = submitted.run_id
            if submitted.replayed:
                console.print(f"run [bold]{run_id}[/] was already submitted with this key ({submitted.status})")
            else:
                console.print(f"run [bold]{run_id}[/] queued for team {chosen}")
            if not wait:
                return None
            return await client.follow(run_id, EntryPrinter(console), max_wait=timeout)

    view = run_async(console, work)
    if view is not None:
        print_outcome(console, view, teams[chosen].report_author)
        if view.get("status") != RunStatus.COMPLETED:
            raise typer.Exit(1)


@runs_app.command("list")
def list_runs(
    limit: Annotated[int, typer.Option(min=1, help="How many runs, newest first.")] = 20,
    status: Annotated[str | None, typer.Option(help="Only runs with this status.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run documents as JSON.")] = False,
    settings_file: SettingsFileOption = DEFAULT_SETTINGS_FILE,
) -> None:
    """List the newest runs with their status."""
    console = Console()

    async def work() -> list[dict[str, Any]]:
        async with RunClient.open(load_settings(settings_file), bus=False) as client:
            return await client.recent(limit=limit, status=status)

    runs = run_async(console, work)
    if as_json:
        typer.echo(json.dumps(runs, indent=2, default=str))
        return
    # No borders: a run id (copied from here) must fit whole in 80 columns next to the rest.
    table = Table(title=f"{len(runs)} runs", title_justify="left", box=None, header_style="bold")
    table.add_column("run", no_wrap=True, min_width=36)
    table.add_column("status", no_wrap=True, min_width=9)
    table.add_column("team", no_wrap=True, overflow="ellipsis")
    table.add_column("created", no_wrap=True, min_width=16)
    table.add_column("task", overflow="ellipsis", no_wrap=True)
    for run in runs:
        task = str(run.get("task") or "")
        table.add_row(
            str(run.get("run_id") or run.get("id")),
            str(run.get("status")),
            str(run.get("team") or ""),
            str(run.get("created_at") or "")[:16].replace("T", " "),
            task if len(task) <= 60 else task[:59] + "…",
        )
    console.print(table)


@runs_app.command("show")
def show_run(
    run_id: Annotated[str, typer.Argument(help="The run id.")],
    as_json: Annotated[bool, typer.Option("--json", help="The JSON of GET /api/runs/{id}.")] = False,
    settings_file: SettingsFileOption = DEFAULT_SETTINGS_FILE,
    registry: RegistryOption = DEFAULT_REGISTRY,
) -> None:
    """Show a run: its transcript, report, usage and status."""
    console = Console()

    async def work() -> dict[str, Any]:
        async with RunClient.open(load_settings(settings_file), bus=False) as client:
            return await client.view(run_id)

    view = run_async(console, work)
    if as_json:
        typer.echo(json.dumps(view, indent=2, default=str))
        return
    console.print(f"[bold]{view.get('task')}[/] [dim](team {view.get('team')}, created {view.get('created_at')})[/]")
    printer = EntryPrinter(console)
    for entry in view.get("transcript") or []:
        printer(entry)
    if view.get("status") in TERMINAL_STATUSES:
        print_outcome(console, view, _report_author(registry, view.get("team")))
    else:
        print_status(console, view)
        if view.get("status") == RunStatus.AWAITING_INPUT:
            show_questions(console, run_id, open_questions(view))


@runs_app.command("cancel")
def cancel_run(
    run_id: Annotated[str, typer.Argument(help="The run id.")],
    settings_file: SettingsFileOption = DEFAULT_SETTINGS_FILE,
) -> None:
    """Cancel a run that has not ended; it stops before its next step."""
    console = Console()

    async def work() -> str:
        async with RunClient.open(load_settings(settings_file)) as client:
            return await client.cancel(run_id)

    status = run_async(console, work)
    console.print(f"run {run_id}: {status}")


@runs_app.command("reply")
def reply_run(
    run_id: Annotated[str, typer.Argument(help="The run id.")],
    text: Annotated[str | None, typer.Argument(help="The answer to the run's question.")] = None,
    approve: Annotated[
        bool | None, typer.Option("--approve/--deny", help="Approve or deny the tool call the run waits on.")
    ] = None,
    request: Annotated[
        str | None,
        typer.Option("--request", help="The request id of the question answered (asked for when several are open)."),
    ] = None,
    settings_file: SettingsFileOption = DEFAULT_SETTINGS_FILE,
) -> None:
    """Answer a run that is awaiting input: TEXT for a question, --approve/--deny for a tool call."""
    console = Console()
    if (text is None) == (approve is None):
        raise typer.BadParameter("give either TEXT or --approve/--deny", param_hint="TEXT")

    async def work() -> dict[str, Any]:
        async with RunClient.open(load_settings(settings_file)) as client:
            chosen = request
            if chosen is None:
                run = await client.store.read_run(run_id)
                waiting = run is not None and run.get("status") == RunStatus.AWAITING_INPUT
                chosen = choose_question(console, run_id, open_questions(run if waiting else None))
            return await client.reply(run_id, answer_body(text, approve, chosen))

    question = run_async(console, work)
    console.print(f"run {run_id}: answered {question.get('agent')}'s {question.get('kind')} request; it resumes")


def _report_author(registry: str, team: object) -> str | None:
    try:
        teams = load_teams(registry)
    except typer.BadParameter:
        return None
    spec = teams.get(str(team))
    return spec.report_author if spec is not None else None
