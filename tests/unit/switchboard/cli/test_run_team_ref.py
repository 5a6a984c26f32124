"""`switchboard run --team` takes a registry name (as `submit --team` does) or module:attribute of a TeamSpec."""

from __future__ import annotations

import pytest
import typer

from agents.registry import DEFAULT_TEAM, RELEASE_TEAM
from switchboard.cli.run_command import _load_team


def test_a_bare_registry_name_and_the_module_reference_name_the_same_team() -> None:
    assert _load_team("release") is RELEASE_TEAM
    assert _load_team("agents.registry:RELEASE_TEAM") is RELEASE_TEAM
    assert _load_team("agents.registry") is DEFAULT_TEAM


def test_an_unknown_name_is_a_clear_error() -> None:
    with pytest.raises(typer.BadParameter, match="cannot load team 'nope'"):
        _load_team("nope")
