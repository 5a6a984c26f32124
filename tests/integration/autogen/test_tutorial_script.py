"""AutoGen's writer/critic tutorial runs on Switchboard after changing only its imports.

The script (tests/support/autogen_scripts/writer_critic.py) runs as a real process twice against one scripted
OpenAI-compatible server: once as written, on autogen-agentchat 0.7.5, once with its import lines swapped. Both
runs must show the same speakers, messages and stop; everything below the imports is byte-identical.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import REPO_ROOT, ServerProcess, free_port, start_python_module

SCRIPT = REPO_ROOT / "tests" / "support" / "autogen_scripts" / "writer_critic.py"

SWAPS = {
    "autogen_agentchat.agents": "switchboard.agentchat",
    "autogen_agentchat.base": "switchboard.teams",
    "autogen_agentchat.conditions": "switchboard.termination",
    "autogen_agentchat.teams": "switchboard.teams",
    "autogen_agentchat.ui": "switchboard.agentchat.ui",
    "autogen_ext.models.openai": "switchboard.models.openai_compat",
}
"""AutoGen's module → ours: the whole of the port (docs/coming-from-autogen.md lists the names)."""

POEMS = ["Leaves fall, amber and slow.", "Leaves fall, amber and slow; the geese go south."]
NOTES = ["Add a second image.", "APPROVE"]


def swap_imports(source: str) -> str:
    """The script with each `from autogen... import` line pointing at Switchboard; no other line changes."""
    lines = []
    for line in source.splitlines(keepends=True):
        if line.startswith("from autogen"):
            module = line.split()[1]
            line = line.replace(module, SWAPS[module], 1)
        lines.append(line)
    return "".join(lines)


@pytest.fixture
def model_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The scripted server: per agent for Switchboard (it names the agent per call), in call order for AutoGen."""
    in_order = [reply for pair in zip(POEMS, NOTES, strict=True) for reply in pair] * 3
    script = {
        "agents": {
            "*": [{"content": reply} for reply in in_order],
            "primary": [{"content": poem} for poem in POEMS],
            "critic": [{"content": note} for note in NOTES],
        }
    }
    path = tmp_path / "script.json"
    path.write_text(json.dumps(script), encoding="utf-8")
    port = free_port()
    server = start_python_module(
        "local_emulators.openai",
        ["--script", str(path), "--port", str(port), "--model", "gpt-4o"],
        port=port,
        log_path=tmp_path / "model.log",
    )
    try:
        yield server
    finally:
        server.stop()


def run_script(path: Path, port: int) -> list[str]:
    env = {
        **os.environ,
        "OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1",
        "OPENAI_API_KEY": "scripted",
        "PYTHONPATH": str(REPO_ROOT),
    }
    done = subprocess.run(
        [sys.executable, str(path)], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def test_swapping_only_the_imports_changes_only_the_import_lines() -> None:
    source = SCRIPT.read_text(encoding="utf-8")
    swapped = swap_imports(source)
    changed = [(a, b) for a, b in zip(source.splitlines(), swapped.splitlines(), strict=True) if a != b]
    assert len(changed) == len(SWAPS)
    assert all(a.startswith("from autogen") and b.startswith("from switchboard") for a, b in changed)


def test_the_tutorial_runs_on_switchboard_as_on_autogen(model_server: ServerProcess, tmp_path: Path) -> None:
    ours_path = tmp_path / "writer_critic_switchboard.py"
    ours_path.write_text(swap_imports(SCRIPT.read_text(encoding="utf-8")), encoding="utf-8")

    theirs = run_script(SCRIPT, model_server.port)
    ours = run_script(ours_path, model_server.port)

    speakers = "['user', 'primary', 'critic', 'primary', 'critic']"
    for output in (theirs, ours):
        assert output[0].startswith(f"RUN {speakers} ")
        assert "APPROVE" in output[0]
        assert output[-1].startswith(f"CONSOLE {speakers} ")
    # The streamed messages and Console's rendering are AutoGen's, line for line.
    assert [line for line in ours if line.startswith("STREAM ")][:-1] == [
        line for line in theirs if line.startswith("STREAM ")
    ][:-1]
    console = [line for line in ours if line.startswith("-" * 10)]
    assert console == [line for line in theirs if line.startswith("-" * 10)]
    assert console[1] == "---------- TextMessage (primary) ----------"
    # The stop reasons are worded differently (docs/coming-from-autogen.md), both naming the text.
    assert "APPROVE" in ours[-1]
    assert "APPROVE" in theirs[-1]
