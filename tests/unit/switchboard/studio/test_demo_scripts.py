"""`--model scripted` for every team: the teams' demo scripts merge into one the scripted model server serves."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from agents.registry import TEAMS
from switchboard.cli.demo_scripts import combined_demo_script
from switchboard.models.errors import ScriptInvalidError
from switchboard.models.scripted import Script


def test_every_sample_team_has_a_demo_script_and_they_merge_without_a_clash(tmp_path: Path) -> None:
    merged = json.loads(combined_demo_script(TEAMS, tmp_path / "all.json").read_text())
    Script.model_validate(merged)
    for name, spec in TEAMS.items():
        assert spec.demo_script is not None, name
        own = json.loads(spec.demo_script.read_text())["agents"]
        assert {agent: merged["agents"][agent] for agent in own} == own


def test_a_team_without_a_script_or_two_scripts_for_one_agent_are_refused(tmp_path: Path) -> None:
    research = TEAMS["research"]
    with pytest.raises(ScriptInvalidError, match="no demo script"):
        combined_demo_script({"research": replace(research, demo_script=None)}, tmp_path / "a.json")
    with pytest.raises(ScriptInvalidError, match="two demo scripts answer agent 'planner'"):
        combined_demo_script({"research": research, "again": research}, tmp_path / "b.json")
