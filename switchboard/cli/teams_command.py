"""`switchboard teams export NAME`: a registry team as AutoGen 0.7's team JSON (a team file, or for AutoGen)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from switchboard.cli.team_choice import DEFAULT_REGISTRY, load_registry, registered_team
from switchboard.errors import SwitchboardError

if TYPE_CHECKING:
    from switchboard.models.protocol import ModelClient

teams_app = typer.Typer(name="teams", help="The app's teams as declarative JSON.", no_args_is_help=True)


@teams_app.command("export")
def export(
    name: Annotated[str, typer.Argument(help="The team's name in the registry.")],
    output: Annotated[Path | None, typer.Option(help="Write the JSON here (e.g. agents/teams/NAME.json).")] = None,
    registry: Annotated[
        str, typer.Option(help="module:attribute of the teams mapping (name → TeamSpec)")
    ] = DEFAULT_REGISTRY,
) -> None:
    """Print (or write) team NAME in AutoGen's component format; AutoGen's `ComponentLoader` loads it.

    Its model clients name the configured model (AZURE_OPENAI_* or OPENAI_*) and never a key; a part with code
    (a selector function, a structured output type, a code condition) is refused, naming its JSON path.
    """
    from switchboard.components import dump_component

    try:
        spec = registered_team(name, load_registry(registry))
        dumped = dump_component(spec.build(_configured_model()))
    except SwitchboardError as error:
        typer.echo(f"error: {error.reason}", err=True)
        raise typer.Exit(1) from error
    dumped["report_author"] = spec.report_author
    text = json.dumps(dumped, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {output}")


def _configured_model() -> ModelClient:
    """An (unconnected) client for the configured endpoint, else for OpenAI's default model: only its name is read."""
    from switchboard.models.errors import ModelNotConfiguredError
    from switchboard.models.openai_client import OpenAIChatClient
    from switchboard.models.settings import ModelEndpoint, ModelSettings

    settings = ModelSettings()
    try:
        endpoint = settings.resolve()
    except ModelNotConfiguredError:
        endpoint = ModelEndpoint(kind="openai", model=settings.openai_model)
    return OpenAIChatClient(endpoint)
