"""The analysis desk through `switchboard run`'s default serverless path (emulators + `switchboard host`), scripted,
approving the execution on stdin."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.processes import REPO_ROOT

QUESTION = "Which region had the highest total revenue in sales.csv, and how much was it?"


def test_the_analysis_desk_runs_the_approved_code_serverless() -> None:
    args = ["run", QUESTION, "--team", "analysis", "--model", "scripted"]
    done = subprocess.run(
        [sys.executable, "-m", "switchboard", *args],
        input="y\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "COLUMNS": "120", "PYTHONPATH": str(REPO_ROOT)},
        timeout=180,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "posted to Service Bus queue 'tasks' as run" in out
    order = [out.index(text) for text in ("─ coder", "executor wants to run this code", "─ executor", "─ critic")]
    assert order == sorted(order)
    assert "Highest total revenue: North with 45000" in out  # computed by the code, in the sandbox
    assert "completed: text 'Verdict: APPROVE' mentioned by critic" in out
