"""The analysis desk through `switchboard run`'s default serverless path (emulators + `switchboard host`), scripted,
approving the execution on stdin."""

from __future__ import annotations

from tests.support.cli import run_switchboard

QUESTION = "Which region had the highest total revenue in sales.csv, and how much was it?"


def test_the_analysis_desk_runs_the_approved_code_serverless() -> None:
    args = ["run", QUESTION, "--team", "analysis", "--model", "scripted"]
    done = run_switchboard(*args, stdin="y\n")
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "posted to Service Bus queue 'tasks' as run" in out
    order = [out.index(text) for text in ("─ coder", "executor wants to run this code", "─ executor", "─ critic")]
    assert order == sorted(order)
    assert "Highest total revenue: North with 45000" in out  # computed by the code, in the sandbox
    assert "completed: text 'Verdict: APPROVE' mentioned by critic" in out
