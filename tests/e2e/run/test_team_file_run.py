"""An AutoGen team JSON run with no Python written: `switchboard run --team-file FILE` in-process and serverless
(the Service Bus and Cosmos DB emulators, `switchboard host`, one function per agent), in a temporary copy of the
project. The file lies outside `agents/teams/`, names an allowed tool, and brings its own demo script; the host
offers it because the CLI names it in `SWITCHBOARD_TEAM_FILES`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import REPO_ROOT

pytestmark = pytest.mark.e2e

_COPIED = ("switchboard", "agents", "local_emulators", "infra", "function_app.py", "host.json", "pyproject.toml")
TASK = "How are duplicates dropped?"


def _team_file(folder: Path) -> Path:
    """A two-agent AutoGen team: a searcher calling the allowed `search_notes` tool, then a summariser."""
    from agents.knowledge import search_notes
    from switchboard import dump_component
    from switchboard.agentchat import AssistantAgent
    from switchboard.models.openai_client import OpenAIChatClient
    from switchboard.models.settings import ModelEndpoint
    from switchboard.teams import RoundRobinGroupChat
    from switchboard.termination import MaxMessageTermination

    model = OpenAIChatClient(ModelEndpoint(kind="openai", model="gpt-4o-mini"))
    searcher = AssistantAgent("notes-searcher", model_client=model, tools=[search_notes], reflect_on_tool_use=False)
    summariser = AssistantAgent("notes-summariser", model_client=model)
    team = RoundRobinGroupChat([searcher, summariser], termination=MaxMessageTermination(3), name="notes-digest")
    path = folder / "digest.json"
    path.write_text(json.dumps(dump_component(team) | {"report_author": "notes-summariser"}), encoding="utf-8")
    script = {
        "agents": {
            "notes-searcher": [{"tool_calls": [{"name": "search_notes", "arguments": {"query": "duplicate"}}]}],
            "notes-summariser": [{"content": "Duplicate detection drops a MessageId seen within the window."}],
        }
    }
    path.with_name("digest.script.json").write_text(json.dumps(script), encoding="utf-8")
    return path


def _run(project: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SWITCHBOARD_TEAM_FILES")}
    return subprocess.run(
        [sys.executable, "-m", "switchboard", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env | {"COLUMNS": "160"},
        timeout=timeout,
        check=False,
    )


def test_a_team_file_runs_in_process_and_serverless_with_no_python(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in _COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, project / name)
    team_file = _team_file(tmp_path)

    in_process = _run(
        project, "run", "--in-process", "--team-file", str(team_file), "--model", "scripted", TASK, timeout=120
    )
    assert in_process.returncode == 0, in_process.stdout + in_process.stderr
    assert "search_notes" in in_process.stdout
    assert "Duplicate detection drops a MessageId" in in_process.stdout.split("Report", 1)[1]

    serverless = _run(project, "run", "--team-file", str(team_file), "--model", "scripted", TASK, timeout=240)
    out = serverless.stdout
    assert serverless.returncode == 0, out + serverless.stderr
    assert "posted to Service Bus queue 'tasks'" in out
    assert "search_notes" in out
    assert "completed: maximum number of messages 3 reached" in " ".join(out.split())
    assert "Duplicate detection drops a MessageId" in out

    missing = _run(project, "run", "--in-process", "--team-file", str(tmp_path / "nope.json"), TASK, timeout=60)
    assert missing.returncode == 1
    assert "cannot read team file" in missing.stdout
