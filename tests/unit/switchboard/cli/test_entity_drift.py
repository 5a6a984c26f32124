"""`switchboard infra entities --write/--check`: the committed entity list follows the registry, and says when not."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from agents.registry import TEAMS
from switchboard.cli.app import app
from switchboard.cli.entity_drift import drift
from switchboard.functions.entities import build_entities, entities_for


def test_write_puts_the_registry_list_where_check_then_finds_it_current(tmp_path: Path) -> None:
    path = tmp_path / "infra" / "entities.json"
    written = CliRunner().invoke(app, ["infra", "entities", "--write", "--path", str(path)])
    assert written.exit_code == 0, written.output
    assert path.read_text(encoding="utf-8") == entities_for(TEAMS).to_json()
    checked = CliRunner().invoke(app, ["infra", "entities", "--check", "--path", str(path)])
    assert checked.exit_code == 0, checked.output
    assert "matches the registry" in checked.output


def test_check_names_the_queues_a_stale_list_lacks_and_the_command_that_fixes_it(tmp_path: Path) -> None:
    path = tmp_path / "entities.json"
    path.write_text(build_entities(["only-one"]).to_json(), encoding="utf-8")
    checked = CliRunner().invoke(app, ["infra", "entities", "--check", "--path", str(path)])
    assert checked.exit_code == 1
    manager = next(iter(TEAMS))
    assert f"{path} is stale" in checked.output
    assert repr(manager) in checked.output.split("lacks the queues", 1)[1]
    assert "lists the queues ['only-one'] no agent uses" in checked.output
    assert "switchboard infra entities --write" in checked.output


def test_a_missing_or_foreign_file_is_named(tmp_path: Path) -> None:
    listed = entities_for(TEAMS)
    assert "does not exist" in str(drift(tmp_path / "absent.json", listed))
    (tmp_path / "x.json").write_text("[]")
    assert "is not an entity list" in str(drift(tmp_path / "x.json", listed))
