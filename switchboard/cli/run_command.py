"""`switchboard run "<task>"`: run a team, printing each turn live, then the report and usage.

By default the run is serverless, as in Azure: the local emulators and `switchboard host` start, the task is posted
to the Service Bus `tasks` queue, every agent runs as a Service Bus–triggered function with its state in Cosmos DB,
and the run is followed in Cosmos (`serverless_run.py`). `--in-process` runs the same team in this process instead.

Which model: `--model auto` (default) uses the configured endpoint (AZURE_OPENAI_ENDPOINT or OPENAI_API_KEY /
OPENAI_BASE_URL) and otherwise the embedded SmolLM2 model, started on a free loopback port and stopped at exit;
`--model local` forces the embedded model; `--model scripted` replays the team's demo script (deterministic,
offline, instant). The team is found by reference (`module:attribute` naming a `TeamSpec`), so the framework
never imports the application's agents.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from switchboard.errors import SwitchboardError
from switchboard.hosting.run_status import RunStatus

if TYPE_CHECKING:
    from switchboard.models.protocol import ModelClient
    from switchboard.models.settings import ModelEndpoint
    from switchboard.teams.spec import TeamSpec

DEFAULT_TEAM = "agents.registry:DEFAULT_TEAM"


class ModelChoice(StrEnum):
    """Where the team's model comes from."""

    AUTO = "auto"
    LOCAL = "local"
    SCRIPTED = "scripted"


def run(
    task: Annotated[str, typer.Argument(help="What the team should do.")],
    model: Annotated[
        ModelChoice,
        typer.Option(help="auto: configured endpoint, else the embedded model; local: embedded; scripted: demo."),
    ] = ModelChoice.AUTO,
    script: Annotated[
        Path | None, typer.Option(help="Model script for --model scripted (default: the team's demo script).")
    ] = None,
    team: Annotated[
        str,
        typer.Option(
            envvar="SWITCHBOARD_TEAM",
            help="The team to run: a name in agents.registry.TEAMS, or module:attribute of a TeamSpec.",
        ),
    ] = DEFAULT_TEAM,
    in_process: Annotated[
        bool,
        typer.Option("--in-process", help="Run in this process instead of through Service Bus, Functions and Cosmos."),
    ] = False,
    team_file: Annotated[
        Path | None,
        typer.Option(
            "--team-file",
            help="An AutoGen team JSON to run instead of --team; the app's registry and host offer it too.",
        ),
    ] = None,
) -> None:
    """Run a team on TASK through the local serverless stack (or --in-process), printing each turn live."""
    console = Console()
    try:
        if team_file is not None:
            from switchboard.components.team_files import offer_team_file

            team = offer_team_file(team_file)
        if in_process:
            asyncio.run(_run(console, task, model, script, team))
        else:
            view = asyncio.run(_run_serverless(console, task, model, script, team))
            if view.get("status") != RunStatus.COMPLETED:
                raise typer.Exit(1)
    except SwitchboardError as error:
        console.print(f"[bold red]error:[/] {error.reason}")
        raise typer.Exit(1) from error


async def _run(console: Console, task: str, choice: ModelChoice, script: Path | None, team_ref: str) -> None:
    from switchboard.agentchat.memory_recall import close_memories
    from switchboard.cli.human_prompt import TerminalPrompter
    from switchboard.cli.run_render import EntryPrinter
    from switchboard.models.agent_models import assign_agent_clients
    from switchboard.models.openai_client import settings_agent_client
    from switchboard.models.usage import models_by_agent
    from switchboard.protocol.transcript import TranscriptEntry
    from switchboard.telemetry import configure_telemetry, flush_telemetry

    configure_telemetry()  # spans and metrics of this run, when APPLICATIONINSIGHTS_/OTLP settings say where
    spec = _load_team(team_ref)
    async with AsyncExitStack() as stack:
        stack.callback(flush_telemetry)
        client: ModelClient = await _model_client(console, choice, script or spec.demo_script, stack)
        stack.push_async_callback(client.close)
        team = spec.build(client)
        stack.push_async_callback(close_memories, team.agents())
        if choice is not ModelChoice.SCRIPTED:
            # A model per agent (`MODEL__<AGENT>__*`); the demo script answers every agent itself.
            for agent_client in assign_agent_clients(team.agents(), client, settings_agent_client):
                stack.push_async_callback(agent_client.close)
            _print_agent_models(console, [agent.name for agent in team.agents()])
        printer = EntryPrinter(console)

        def show(entry: TranscriptEntry) -> None:
            # The same panels (and tool calls with their arguments and results) as a serverless run prints.
            printer(entry.model_dump(mode="json"))

        with console.status("[dim]agents at work…[/]") as status:
            prompter = TerminalPrompter(console, status)
            result = await team.run(
                task, on_entry=show, input_func=prompter.ask_text, approval_func=prompter.ask_approval
            )

    report = next((e for e in reversed(result.transcript) if e.source == spec.report_author), None)
    console.rule("[bold]Report")
    console.print(Markdown(report.content) if report else "[dim](no report was written)[/]")
    table = Table(title="Token usage", title_justify="left")
    # The model column comes last so the numeric columns keep their places for readers of the table.
    for column in ("agent", "prompt", "completion", "total", "model"):
        table.add_column(column, justify="left" if column in ("agent", "model") else "right")
    models = models_by_agent((entry.source, entry.model) for entry in result.transcript)
    for agent, usage in result.usage.items():
        table.add_row(
            agent,
            str(usage.prompt_tokens),
            str(usage.completion_tokens),
            str(usage.total_tokens),
            models.get(agent, ""),
        )
    total = result.total_usage
    table.add_row("[bold]all", str(total.prompt_tokens), str(total.completion_tokens), str(total.total_tokens), "")
    console.print(table)
    console.print(f"[bold]Stop reason:[/] {result.stop_reason}")
    console.print(f"[dim]run {result.run_id} · {len(result.transcript)} messages[/]")


async def _run_serverless(
    console: Console, task: str, choice: ModelChoice, script: Path | None, team_ref: str
) -> dict[str, Any]:
    from switchboard.cli.serverless_run import run_serverless
    from switchboard.cli.team_choice import offered_by_app
    from switchboard.models.errors import ScriptInvalidError

    spec = _load_team(team_ref)
    offered_by_app(spec)  # before any process starts: the app serves the registry, so the team must be in it
    async with AsyncExitStack() as stack:
        if choice is ModelChoice.SCRIPTED:
            chosen = script or spec.demo_script
            if chosen is None:
                raise ScriptInvalidError("this team has no demo script: pass --script FILE")
            console.print(f"[dim]model: scripted replay of {chosen}[/]")
            return await run_serverless(console, task, spec, model_script=chosen, model_env={})
        model_env = await _hosted_model_env(console, choice, stack)
        _print_agent_models(console, [agent.name for agent in spec.build(_NoModel()).agents()])
        return await run_serverless(console, task, spec, model_script=None, model_env=model_env)


async def _hosted_model_env(console: Console, choice: ModelChoice, stack: AsyncExitStack) -> dict[str, str]:
    """Model settings for the host: none when the environment names an endpoint, else the embedded model's."""
    endpoint, embedded = await _model_endpoint(console, choice, stack)
    if not embedded:
        return {}  # the host reads the same settings from the environment
    # Empty values switch off endpoints a developer may have exported, so the host uses this one.
    return {
        "AZURE_OPENAI_ENDPOINT": "",
        "OPENAI_API_KEY": "",
        "OPENAI_BASE_URL": endpoint.base_url or "",
        "OPENAI_MODEL": endpoint.model,
        "SWITCHBOARD_MODEL_JSON_MODE": endpoint.json_mode,
        "SWITCHBOARD_MODEL_TIMEOUT": str(endpoint.timeout),
    }


def _print_agent_models(console: Console, agents: list[str]) -> None:
    """One banner line per agent on a model of its own; bad per-agent settings stop the run before it starts."""
    from switchboard.models.agent_models import agent_endpoint

    for name in agents:
        endpoint = agent_endpoint(name)
        if endpoint is not None:
            console.print(f"[dim]model for {name}: {endpoint.describe()}[/]")


class _NoModel:
    """A placeholder client for building a team only to list its agents' names (never called)."""

    model_name = "none"

    async def create(self, request: Any) -> Any:
        raise AssertionError("the placeholder model is never called")

    async def close(self) -> None:
        """Nothing to close."""


def _load_team(ref: str) -> TeamSpec:
    from switchboard.cli.team_choice import resolve_team

    return resolve_team(ref)


async def _model_client(
    console: Console, choice: ModelChoice, script: Path | None, stack: AsyncExitStack
) -> ModelClient:
    from switchboard.models.errors import ScriptInvalidError
    from switchboard.models.openai_client import OpenAIChatClient
    from switchboard.models.scripted import ScriptedModelClient

    if choice is ModelChoice.SCRIPTED:
        if script is None:
            raise ScriptInvalidError("this team has no demo script: pass --script FILE")
        console.print(f"[dim]model: scripted replay of {script}[/]")
        return ScriptedModelClient.from_file(script)
    endpoint, _ = await _model_endpoint(console, choice, stack)
    return OpenAIChatClient(endpoint)


async def _model_endpoint(console: Console, choice: ModelChoice, stack: AsyncExitStack) -> tuple[ModelEndpoint, bool]:
    """The configured endpoint (with `auto`), else the embedded model started until `stack` closes.

    Returns:
        The endpoint, and whether it is the embedded model.
    """
    from switchboard.models import local_llm
    from switchboard.models.errors import ModelNotConfiguredError
    from switchboard.models.settings import ModelSettings

    if choice is ModelChoice.AUTO:
        try:
            endpoint = ModelSettings().resolve()
        except ModelNotConfiguredError:
            console.print(
                "[dim]no model configured (OPENAI_API_KEY / AZURE_OPENAI_ENDPOINT): using the embedded model[/]"
            )
        else:
            console.print(f"[dim]model: {endpoint.describe()}[/]")
            return endpoint, False
    if not local_llm.is_installed():
        with console.status("[yellow]Building the embedded model once (about 5 minutes)…[/]"):
            local_llm.install(lambda message: console.print(f"[yellow]{message}[/]"))
    server = local_llm.LocalModelServer()
    with console.status("[dim]starting the embedded model…[/]"):
        endpoint = await asyncio.to_thread(server.start)
    stack.callback(server.stop)
    console.print(f"[dim]model: embedded SmolLM2-135M (llama.cpp) at {endpoint.base_url}[/]")
    return endpoint, True
