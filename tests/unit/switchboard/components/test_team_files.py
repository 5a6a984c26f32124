"""Team files register like Python teams: `agents/teams/haiku.json` is in the registry with its agents' entities
and demo script, a file's tools come from the allowed list, a bad file fails at registration naming the file and
the JSON path, and `switchboard teams export` writes JSON that AutoGen loads and that registers back here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agents.knowledge import search_notes
from agents.registry import TEAMS
from switchboard.cli.app import app
from switchboard.components import ComponentError
from switchboard.components.team_files import TEAM_FILES_SETTING, team_file_spec, team_files
from switchboard.functions.entities import entities_for
from switchboard.models.scripted import ScriptedModelClient
from tests.support.autogen_components import autogen_load

REPO_TEAMS = Path(__file__).resolve().parents[4] / "agents" / "teams"


async def test_the_haiku_team_file_is_a_registered_team_with_entities_and_a_demo_script() -> None:
    spec = TEAMS["haiku"]
    assert spec.report_author == "poet"
    assert spec.demo_script == REPO_TEAMS / "haiku.script.json"
    queues = {q.name for q in entities_for(TEAMS).service_bus.queues}
    assert {"haiku", "poet", "haiku_critic"} <= queues

    result = await spec.build(ScriptedModelClient.from_file(spec.demo_script)).run("queues")
    assert result.speakers() == ["user", "poet", "haiku_critic", "poet", "haiku_critic"]
    assert result.stop_reason == "text 'APPROVE' mentioned by haiku_critic"


def test_a_bad_team_file_fails_at_registration_naming_file_and_path(tmp_path: Path) -> None:
    spec = json.loads((REPO_TEAMS / "haiku.json").read_text(encoding="utf-8"))
    spec["config"]["participants"][1]["config"]["workbench"] = [
        {
            "provider": "autogen_core.tools.StaticWorkbench",
            "config": {"tools": [{"provider": "autogen_core.tools.FunctionTool", "config": {"name": "rm_rf"}}]},
        }
    ]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(ComponentError) as refused:
        team_file_spec(bad, tools=[search_notes])
    assert refused.value.path == "config.participants[1].config.workbench[0].config.tools[0]"
    assert str(bad) in str(refused.value)


def test_the_setting_adds_files_and_a_team_name_used_twice_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "teams"
    folder.mkdir()
    shutil_copy = (REPO_TEAMS / "haiku.json").read_text(encoding="utf-8")
    (folder / "haiku.json").write_text(shutil_copy, encoding="utf-8")
    monkeypatch.setenv(TEAM_FILES_SETTING, str(folder / "haiku.json"))
    assert list(team_files(folder)) == ["haiku"]  # the same file named twice is offered once

    (folder / "again.json").write_text(shutil_copy, encoding="utf-8")
    with pytest.raises(ComponentError, match="team name 'haiku' is already offered by another file"):
        team_files(folder)


def test_teams_export_writes_json_autogen_loads_and_we_register_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AZURE_OPENAI_ENDPOINT", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-never-written")
    target = tmp_path / "haiku.json"
    written = CliRunner().invoke(app, ["teams", "export", "haiku", "--output", str(target)])
    assert written.exit_code == 0, written.output
    text = target.read_text(encoding="utf-8")
    assert "sk-never-written" not in text
    exported = json.loads(text)

    theirs = autogen_load(exported)
    assert [p.name for p in theirs._participants] == ["poet", "haiku_critic"]
    assert team_file_spec(target).report_author == "poet"

    refused = CliRunner().invoke(app, ["teams", "export", "research"])
    assert refused.exit_code == 1
    assert "config.participants[0].config.output_content_type" in refused.output
