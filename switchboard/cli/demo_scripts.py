"""One model script for every team of the registry, so one scripted model server answers any team's run.

Agent names are unique across a deployment and a script is keyed by agent (then by the run's step), so the
teams' demo scripts merge into one without changing any answer; the studio's `--local --model scripted` serves it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from switchboard.models.errors import ScriptInvalidError
from switchboard.teams.spec import TeamSpec


def combined_demo_script(teams: Mapping[str, TeamSpec], path: Path) -> Path:
    """Write the union of the teams' demo scripts to `path`.

    Raises:
        ScriptInvalidError: A team has no demo script, a script is not `{"agents": {...}}`, or two scripts answer
            the same agent.
    """
    agents: dict[str, Any] = {}
    for name, spec in teams.items():
        if spec.demo_script is None:
            raise ScriptInvalidError(f"team {name!r} has no demo script, so --model scripted cannot run it")
        try:
            script = json.loads(spec.demo_script.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ScriptInvalidError(f"demo script of team {name!r} ({spec.demo_script}): {error}") from error
        if not isinstance(script, dict) or set(script) != {"agents"} or not isinstance(script["agents"], dict):
            raise ScriptInvalidError(f'demo script of team {name!r} is not {{"agents": {{...}}}}: {spec.demo_script}')
        for agent, entries in script["agents"].items():
            if agent in agents:
                raise ScriptInvalidError(f"two demo scripts answer agent {agent!r} (team {name!r})")
            agents[agent] = entries
    path.write_text(json.dumps({"agents": agents}, indent=1), encoding="utf-8")
    return path
