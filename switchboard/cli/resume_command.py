"""`switchboard runs resume ID`: re-drive a failed run from its last committed state (`switchboard.hosting.resume`).

It reads the run's partition in Cosmos DB and sends its unhandled messages again on Service Bus, with the settings
from the environment and then `local.settings.json`, and the registry's teams to know which agents are deployed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from switchboard.cli.hosted_settings import DEFAULT_SETTINGS_FILE, SettingsFileOption, load_settings
from switchboard.cli.infra_command import load_teams
from switchboard.cli.run_client import RunClient
from switchboard.cli.runs_command import RegistryOption, run_async, runs_app
from switchboard.cli.team_choice import DEFAULT_REGISTRY
from switchboard.errors import AgentDefinitionError
from switchboard.hosting.resume import ResumeResult, resume_run
from switchboard.models.chat import ModelRequest, ModelResponse
from switchboard.protocol import TEAM_MESSAGES
from switchboard.protocol.input_messages import INPUT_MESSAGES
from switchboard.runtime.router import Router
from switchboard.state import CosmosRunPartition
from switchboard.teams.spec import TeamSpec


class _NoModel:
    """Teams are built only to know their agents and routes; no model is called."""

    model_name = "resume-only"

    async def create(self, request: ModelRequest) -> ModelResponse:
        raise AgentDefinitionError("runs resume builds teams only to read their agents; no model is called")

    async def close(self) -> None:
        """Nothing to release."""


def deployment_router(teams: Mapping[str, TeamSpec]) -> Router:
    """The routing table of every agent of `teams`, as the Function App builds it."""
    model = _NoModel()
    agents = [agent for spec in teams.values() for agent in spec.build(model).agents()]
    return Router(agents, extra_messages=(*TEAM_MESSAGES, *INPUT_MESSAGES))


@runs_app.command("resume")
def resume(
    run_id: Annotated[str, typer.Argument(help="The failed run's id.")],
    settings_file: SettingsFileOption = DEFAULT_SETTINGS_FILE,
    registry: RegistryOption = DEFAULT_REGISTRY,
) -> None:
    """Re-drive a failed run from its last committed state, or say why that is not safe."""
    console = Console()
    teams = load_teams(registry)
    router = deployment_router(teams)

    async def work() -> ResumeResult:
        async with RunClient.open(load_settings(settings_file)) as client:
            publisher = client.publisher
            return await resume_run(
                run_id,
                partition=CosmosRunPartition(client.store.container),
                sender=publisher,
                events=publisher,
                managers={name: spec.name for name, spec in teams.items()},
                agents=set(router.agents),
                routes=router,
            )

    result = run_async(console, work)
    sent = ", ".join(f"{agent} ← {message_id}" for agent, message_id in result.resent)
    console.print(f"run {escape(run_id)}: running again; re-sent {escape(sent)}")
