"""Which team `run` and `submit` take: registry names and module:attribute references, one message for a typo."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from agents.registry import DEFAULT_TEAM, RELEASE_TEAM, TEAMS
from switchboard.cli.app import app
from switchboard.cli.run_command import _load_team
from switchboard.cli.team_choice import TeamChoiceError, offered_by_app, resolve_team

TEAM_MODULE = """
from switchboard.teams import RoundRobinGroupChat, TeamSpec
from switchboard.termination import MaxMessageTermination
from switchboard.agentchat import AssistantAgent


def build(model_client, name="helpdesk"):
    answerer = AssistantAgent("answerer", model_client=model_client)
    return RoundRobinGroupChat([answerer], termination=MaxMessageTermination(2), name=name)


HELPDESK = TeamSpec(name="helpdesk", description="d", build=build, report_author="answerer")
MISNAMED = TeamSpec(name="release", description="d", build=lambda m: build(m, "team"), report_author="answerer")
"""


def test_a_bare_registry_name_and_the_module_reference_name_the_same_team() -> None:
    assert _load_team("release") is RELEASE_TEAM
    assert _load_team("agents.registry:RELEASE_TEAM") is RELEASE_TEAM
    assert _load_team("agents.registry") is DEFAULT_TEAM


def test_an_unknown_name_lists_what_the_registry_offers() -> None:
    with pytest.raises(typer.BadParameter) as caught:
        _load_team("triag")
    assert str(caught.value) == f"unknown team 'triag'; this app offers {sorted(TEAMS)}"


def test_run_in_process_and_submit_give_the_same_message_for_a_typo() -> None:
    runner = CliRunner()
    expected = f"unknown team 'triag'; this app offers {sorted(TEAMS)}"
    ran = runner.invoke(app, ["run", "--in-process", "--model", "scripted", "--team", "triag", "t"])
    submitted = runner.invoke(app, ["submit", "--team", "triag", "t", "--settings", "/nonexistent.json"])
    for result in (ran, submitted):
        assert result.exit_code == 2
        assert expected in " ".join(result.output.replace("│", " ").split())


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory with a team module, as the current directory, not on the import path (no PYTHONPATH=.)."""
    (tmp_path / "helpdesk_team.py").write_text(TEAM_MODULE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    monkeypatch.delitem(sys.modules, "helpdesk_team", raising=False)
    return tmp_path


def test_a_module_reference_loads_from_the_current_directory(project_dir: Path) -> None:
    spec = resolve_team("helpdesk_team:HELPDESK")
    assert spec.name == "helpdesk"


def test_a_team_the_app_does_not_serve_is_refused_before_anything_is_posted(project_dir: Path) -> None:
    spec = resolve_team("helpdesk_team:HELPDESK")
    with pytest.raises(TeamChoiceError) as caught:
        offered_by_app(spec)
    assert caught.value.reason.startswith(f"unknown team 'helpdesk'; this app offers {sorted(TEAMS)}")
    assert "function_app.py serves agents.registry:TEAMS" in caught.value.reason
    assert "--in-process" in caught.value.reason


def test_a_spec_under_a_registered_name_but_not_registered_is_refused(project_dir: Path) -> None:
    with pytest.raises(TeamChoiceError, match="holds another team under that name"):
        offered_by_app(resolve_team("helpdesk_team:MISNAMED"))


def test_a_spec_whose_team_has_another_name_is_refused(monkeypatch: pytest.MonkeyPatch, project_dir: Path) -> None:
    misnamed = resolve_team("helpdesk_team:MISNAMED")
    monkeypatch.setitem(TEAMS, "release", misnamed)
    with pytest.raises(TeamChoiceError, match="TeamSpec 'release' builds a team named 'team'"):
        offered_by_app(misnamed)


def test_serverless_run_of_an_unserved_team_exits_at_once_with_the_reason(project_dir: Path) -> None:
    result = CliRunner().invoke(app, ["run", "--model", "scripted", "--team", "helpdesk_team:HELPDESK", "t"])
    assert result.exit_code == 1
    assert "error: unknown team 'helpdesk'" in result.output
    assert "starting" not in result.output  # nothing was started
