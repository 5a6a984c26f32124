"""`switchboard infra ...`: what the deployment needs in Azure, generated from the registry.

`infra entities` prints the entity list (`infra/entities.json` is its committed copy), or the same queues and
topics in the config format of Microsoft's Service Bus emulator.
"""

from __future__ import annotations

import importlib
import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from switchboard.errors import SwitchboardError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from switchboard.functions.entities import EntityList
    from switchboard.teams.spec import TeamSpec

DEFAULT_REGISTRY = "agents.registry:TEAMS"
EMULATOR_NAMESPACE = "sbemulatorns"
EMULATOR_MAX_TTL = "PT1H"
"""Microsoft's Service Bus emulator refuses a longer DefaultMessageTimeToLive."""

infra_app = typer.Typer(
    name="infra",
    help="The Azure resources a deployment needs, generated from its agent registry.",
    no_args_is_help=True,
)


class EntitiesFormat(StrEnum):
    """Output formats of `infra entities`."""

    JSON = "json"
    SERVICEBUS_EMULATOR_CONFIG = "servicebus-emulator-config"


@infra_app.command("entities")
def entities(
    output_format: Annotated[
        EntitiesFormat,
        typer.Option("--format", help="json: infra/entities.json; servicebus-emulator-config: Microsoft's Config.json"),
    ] = EntitiesFormat.JSON,
    registry: Annotated[
        str, typer.Option(help="module:attribute of the teams mapping (name → TeamSpec)")
    ] = DEFAULT_REGISTRY,
) -> None:
    """Print every queue, topic, subscription and Cosmos container the registry's agents need."""
    from switchboard.functions.entities import entities_for

    try:
        listed = entities_for(load_teams(registry))
    except SwitchboardError as error:
        typer.echo(f"error: {error.reason}", err=True)
        raise typer.Exit(1) from error
    if output_format is EntitiesFormat.JSON:
        typer.echo(listed.to_json(), nl=False)
    else:
        typer.echo(json.dumps(servicebus_emulator_config(listed), indent=2))


def load_teams(reference: str) -> Mapping[str, TeamSpec]:
    """Import the teams mapping named `module:attribute` (the application's registry).

    Raises:
        typer.BadParameter: The reference does not name an importable mapping.
    """
    module_name, _, attribute = reference.partition(":")
    try:
        teams = getattr(importlib.import_module(module_name), attribute or "TEAMS")
    except (ImportError, AttributeError) as error:
        raise typer.BadParameter(f"cannot load the registry {reference!r}: {error}") from error
    if not isinstance(teams, dict):
        raise typer.BadParameter(f"{reference!r} is not a mapping of team name to TeamSpec")
    return teams


def servicebus_emulator_config(listed: EntityList) -> dict[str, Any]:
    """The queues and topics of `listed` as Microsoft's Service Bus emulator Config.json.

    ARM property names become the emulator's PascalCase ones; time-to-live is capped at the emulator's maximum.
    `local_emulators` writes the same file from `infra/entities.json` (the two never import each other; a test
    compares them).
    """
    raw = json.loads(listed.to_json())["serviceBus"]
    queues = [{"Name": q["name"], "Properties": _emulator_properties(q["properties"])} for q in raw["queues"]]
    topics = [
        {
            "Name": t["name"],
            "Properties": _emulator_properties(t["properties"]),
            "Subscriptions": [
                {"Name": s["name"], "Properties": _emulator_properties(s["properties"])} for s in t["subscriptions"]
            ],
        }
        for t in raw["topics"]
    ]
    namespace = {"Name": EMULATOR_NAMESPACE, "Queues": queues, "Topics": topics}
    return {"UserConfig": {"Namespaces": [namespace], "Logging": {"Type": "File"}}}


def _emulator_properties(properties: dict[str, Any]) -> dict[str, Any]:
    converted = {name[:1].upper() + name[1:]: value for name, value in properties.items()}
    converted["DefaultMessageTimeToLive"] = EMULATOR_MAX_TTL
    return converted
