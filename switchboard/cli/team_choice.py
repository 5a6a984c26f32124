"""Which team a command runs, checked before anything starts: one message for a typo, whatever the command.

`switchboard run` and `switchboard submit` take a registry name (`--team triage`) and `run` also a reference to a
`TeamSpec` (`--team mymodule:TRIAGE`), imported from the current directory as `python -m` would (no `PYTHONPATH=.`
needed). A name the registry lacks is `unknown team 'triag'; this app offers [...]` for both commands, in-process too
(the ingress's and the HTTP API's message). A serverless run can only run a team the app serves — `function_app.py`
serves the registry — so `offered_by_app` refuses a team the registry does not hold (or holds under another name)
before anything is posted, instead of a run that waits forever on a dead-lettered task.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping

import typer

from switchboard.errors import SwitchboardError
from switchboard.hosting.task_request import unknown_team_reason
from switchboard.teams.spec import TeamSpec

DEFAULT_REGISTRY = "agents.registry:TEAMS"
"""Where the application lists its teams (`function_app.py` serves the same mapping)."""


class TeamChoiceError(SwitchboardError):
    """The chosen team is unknown, or the app would not offer it."""


def import_from_here(module_name: str) -> object:
    """Import `module_name` with the current directory on the import path, as `python -m` puts it there."""
    here = os.getcwd()
    if here not in sys.path and "" not in sys.path:
        sys.path.insert(0, here)
    return importlib.import_module(module_name)


def load_registry(reference: str = DEFAULT_REGISTRY) -> Mapping[str, TeamSpec]:
    """Import the teams mapping named `module:attribute` (the application's registry).

    Raises:
        typer.BadParameter: The reference does not name an importable mapping.
    """
    module_name, _, attribute = reference.partition(":")
    try:
        teams = getattr(import_from_here(module_name), attribute or "TEAMS")
    except (ImportError, AttributeError) as error:
        raise typer.BadParameter(f"cannot load the registry {reference!r}: {error}") from error
    if not isinstance(teams, dict):
        raise typer.BadParameter(f"{reference!r} is not a mapping of team name to TeamSpec")
    return teams


def unknown_team(name: object, teams: Mapping[str, TeamSpec]) -> typer.BadParameter:
    """The one message for a team name the registry lacks: the ingress's, the HTTP API's and `submit`'s."""
    return typer.BadParameter(unknown_team_reason(name, teams), param_hint="--team")


def registered_team(name: str | None, teams: Mapping[str, TeamSpec]) -> TeamSpec:
    """The registry's team so named (its first team when `name` is None).

    Raises:
        typer.BadParameter: `unknown team '<name>'; this app offers [...]`.
    """
    chosen = name if name is not None else next(iter(teams), None)
    spec = teams.get(chosen) if chosen is not None else None
    if spec is None:
        raise unknown_team(chosen, teams)
    return spec


def resolve_team(reference: str, registry: str = DEFAULT_REGISTRY) -> TeamSpec:
    """The team `reference` names: a registry name, or `module:attribute` of a `TeamSpec`.

    A bare module (`mymodule`) means its `DEFAULT_TEAM`; a bare name that is no module is a registry name.

    Raises:
        typer.BadParameter: An unknown name (the registry's names listed), an unimportable module or attribute, or
            something other than a `TeamSpec`.
    """
    if ":" not in reference and "." not in reference:
        teams = load_registry(registry)
        if reference in teams or not _is_module(reference):
            return registered_team(reference, teams)
    module_name, _, attribute = reference.partition(":")
    try:
        spec = getattr(import_from_here(module_name), attribute or "DEFAULT_TEAM")
    except (ImportError, AttributeError) as error:
        raise typer.BadParameter(f"cannot load team {reference!r}: {error}", param_hint="--team") from error
    if not isinstance(spec, TeamSpec):
        raise typer.BadParameter(f"{reference!r} is not a TeamSpec", param_hint="--team")
    return spec


def _is_module(name: str) -> bool:
    try:
        import_from_here(name)
    except ImportError:
        return False
    return True


def offered_by_app(spec: TeamSpec, registry: str = DEFAULT_REGISTRY) -> None:
    """Check that the app (which serves the registry) offers `spec` under its name, before a run is posted.

    Raises:
        TeamChoiceError: The registry lacks the team or holds another team under its name.
    """
    from switchboard.functions.entities import agent_names_of

    teams = load_registry(registry)
    if teams.get(spec.name) is not spec:
        where = "holds another team under that name" if spec.name in teams else "does not list it"
        raise TeamChoiceError(
            f"{unknown_team_reason(spec.name, teams)} — function_app.py serves "
            f"{registry}, which {where}: add the TeamSpec to it (docs/your-own-team.md) or run with --in-process"
        )
    manager = agent_names_of({spec.name: spec})[0]
    if manager != spec.name:
        raise TeamChoiceError(
            f"TeamSpec {spec.name!r} builds a team named {manager!r}: tasks for {spec.name!r} would reach no agent; "
            f"give the team name={spec.name!r}"
        )
