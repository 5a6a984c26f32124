"""`switchboard infra ...`: what the deployment needs in Azure, generated from the registry.

`infra entities` prints the entity list (`infra/entities.json` is its committed copy), or the same queues and
topics in the config format of Microsoft's Service Bus emulator; `--write` updates the committed copy and `--check`
says whether it is stale.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from switchboard.cli.entity_drift import COMMITTED_ENTITIES, drift
from switchboard.cli.team_choice import DEFAULT_REGISTRY, load_registry
from switchboard.errors import SwitchboardError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from switchboard.functions.entities import EntityList
    from switchboard.teams.spec import TeamSpec

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
    write: Annotated[
        bool, typer.Option("--write", help="Write the JSON list to --path instead of printing it.")
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1, saying what differs, when --path is not the registry's list.")
    ] = False,
    path: Annotated[Path, typer.Option(help="The committed entity list for --write and --check.")] = (
        COMMITTED_ENTITIES
    ),
) -> None:
    """Print every queue, topic, subscription and Cosmos container the registry's agents need.

    `--write` updates infra/entities.json (what the Bicep and `python -m local_emulators up` read) after a team
    is added; `--check` is the drift check for CI and pre-commit.
    """
    from switchboard.functions.entities import entities_for

    try:
        listed = entities_for(load_teams(registry))
    except SwitchboardError as error:
        typer.echo(f"error: {error.reason}", err=True)
        raise typer.Exit(1) from error
    if check:
        problem = drift(path, listed)
        if problem is not None:
            typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(1)
        typer.echo(f"{path} matches the registry ({len(listed.agent_queues())} agent queues)")
        return
    if write:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(listed.to_json(), encoding="utf-8")
        typer.echo(f"wrote {path}: {', '.join(q.name for q in listed.service_bus.queues)}")
        return
    if output_format is EntitiesFormat.JSON:
        typer.echo(listed.to_json(), nl=False)
    else:
        typer.echo(json.dumps(servicebus_emulator_config(listed), indent=2))


def load_teams(reference: str) -> Mapping[str, TeamSpec]:
    """Import the teams mapping named `module:attribute` (the application's registry), from the current directory.

    Raises:
        typer.BadParameter: The reference does not name an importable mapping.
    """
    return load_registry(reference)


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
