"""Team files: an AutoGen team JSON (`agents/teams/*.json`) offered by an application like a Python team.

A file becomes a `TeamSpec`, so the Function App gets its functions and queues, the entity list (and so the Bicep
entities) its agents, and `switchboard run` its team, with no Python written. As for Python teams, the host's
model client (its settings, the local model or the scripted server) answers every agent: the JSON's own model
client specs are replaced by it, so a team file deploys without keys in it. A sibling `<name>.script.json` is the
team's demo script for `--model scripted`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from switchboard.components.errors import ComponentError
from switchboard.components.naming import agent_name
from switchboard.components.tool_registry import ToolRegistry
from switchboard.models.protocol import ModelClient
from switchboard.teams import GroupChat
from switchboard.teams.spec import TeamSpec
from switchboard.tools import FunctionTool

TEAM_FILES_SETTING = "SWITCHBOARD_TEAM_FILES"
"""More team files to offer, separated by the path separator (`switchboard run --team-file` sets it for its host)."""

Tools = ToolRegistry | Iterable[FunctionTool | Callable[..., Any]]


def team_file_spec(path: Path, *, tools: Tools = ()) -> TeamSpec:
    """The `TeamSpec` of the team JSON at `path` (checked now, so a bad file fails at import, naming its path).

    The report author (whose last entry `switchboard run` prints as the report) is the file's top-level
    `report_author` (AutoGen ignores the key), else the first participant.

    Raises:
        ComponentError: The file is not a loadable team (the message starts with the file and the JSON path).
    """
    registry = tools if isinstance(tools, ToolRegistry) else ToolRegistry(tools)
    text = _read(path)

    def build(model_client: ModelClient) -> GroupChat:
        from switchboard.components import load_component

        try:
            team = load_component(
                text, tools=registry, expected="team", model_override=lambda _spec, _path: model_client
            )
        except ComponentError as exc:
            raise ComponentError(exc.path, f"{path}: {exc.problem}") from exc
        assert isinstance(team, GroupChat)
        return team

    probe = build(_NoModel())
    script = path.with_name(path.name.removesuffix(".json") + ".script.json")
    return TeamSpec(
        name=probe.name,
        description=_description(text) or f"The team of {path.name}.",
        build=build,
        report_author=_top_level(text, "report_author") or probe.participants[0].name,
        demo_script=script if script.is_file() else None,
    )


def team_files(folder: Path, *, tools: Tools = (), setting: bool = True) -> dict[str, TeamSpec]:
    """Every team file of `folder` (`*.json`, not `*.script.json`), plus those the setting names, by team name.

    Raises:
        ComponentError: A file is not a loadable team, or two files give the same team name.
    """
    paths = sorted(p for p in folder.glob("*.json") if not p.name.endswith(".script.json")) if folder.is_dir() else []
    if setting:
        paths += [Path(p) for p in os.environ.get(TEAM_FILES_SETTING, "").split(os.pathsep) if p]
    specs: dict[str, TeamSpec] = {}
    seen: set[Path] = set()
    for path in (p.resolve() for p in paths):
        if path in seen:  # the setting may name a file of the folder too
            continue
        seen.add(path)
        spec = team_file_spec(path, tools=tools)
        if spec.name in specs:
            raise ComponentError("config.name", f"{path}: team name {spec.name!r} is already offered by another file")
        specs[spec.name] = spec
    return specs


def offer_team_file(path: Path) -> str:
    """Offer the team file `path` and return its team's name.

    The file is added to the `SWITCHBOARD_TEAM_FILES` setting, so this process's registry and the hosts it starts
    offer it.

    Raises:
        ComponentError: The file cannot be read or names no valid team name.
    """
    resolved = path.resolve()
    config = _top_level(_read(resolved), "config")
    raw = config.get("name") if isinstance(config, dict) else None
    if not isinstance(raw, str):
        raise ComponentError("config.name", f"{path}: a team file needs a team name")
    listed = [p for p in os.environ.get(TEAM_FILES_SETTING, "").split(os.pathsep) if p]
    if str(resolved) not in listed:
        os.environ[TEAM_FILES_SETTING] = os.pathsep.join([*listed, str(resolved)])
    return agent_name(raw, "config.name")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ComponentError("", f"cannot read team file {path}: {exc.strerror}") from exc


def _description(text: str) -> str:
    config = _top_level(text, "config")
    value = config.get("description") if isinstance(config, dict) else None
    return value if isinstance(value, str) and value != "A team of agents." else ""


def _top_level(text: str, key: str) -> Any:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data.get(key) if isinstance(data, dict) else None


class _NoModel:
    """Stands in for the model while a file is checked at registration; calling it is a bug."""

    model_name = "team-file-check"

    async def create(self, request: Any) -> Any:
        raise AssertionError("a team file is only built, never run, when it is registered")

    async def close(self) -> None:
        """Nothing to release."""
