from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

import switchboard
from switchboard.cli.app import app


def test_help_explains_the_tool_and_lists_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "teams of AI agents" in result.output
    assert "version" in result.output


def test_version_command() -> None:
    result = CliRunner().invoke(app, ["version"])
    assert result.exit_code == 0
    assert f"switchboard {switchboard.__version__}" in result.output


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["frobnicate"])
    assert result.exit_code == 2


def test_python_dash_m_runs_the_same_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "switchboard", "version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "switchboard" in done.stdout


def test_lazy_top_level_exports() -> None:
    assert switchboard.InProcessRuntime.__name__ == "InProcessRuntime"
    assert "Message" in dir(switchboard)
    with pytest.raises(AttributeError, match="NotAThing"):
        switchboard.NotAThing  # noqa: B018
