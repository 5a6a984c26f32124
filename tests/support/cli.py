"""Running the real `switchboard` command as a user does: a child process of this interpreter, in the repository."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.processes import REPO_ROOT


def run_switchboard(*args: str, stdin: str = "", timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run `python -m switchboard ARGS` to its end, answering its prompts from `stdin`; 120 columns of output."""
    return subprocess.run(
        [sys.executable, "-m", "switchboard", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "COLUMNS": "120", "PYTHONPATH": str(REPO_ROOT)},
        timeout=timeout,
        check=False,
    )
