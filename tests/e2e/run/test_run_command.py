"""`switchboard run` as a user runs it: a real process, its printed output checked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.processes import REPO_ROOT

TASK = "How does Switchboard make agent effects happen exactly once?"


def _run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COLUMNS": "120", "PYTHONPATH": str(REPO_ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "switchboard", "run", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=full_env,
        timeout=timeout,
        check=False,
    )


def test_scripted_run_prints_turns_report_usage_and_stop_reason() -> None:
    done = _run("--in-process", "--model", "scripted", TASK)
    assert_demo_run_printed(done)
    assert "Stop reason: text 'Verdict: APPROVE' mentioned by reviewer" in done.stdout


def assert_demo_run_printed(done: subprocess.CompletedProcess[str]) -> None:
    """The demo script's run, shown live: every speaker in order, the tool, the revision, report and usage."""
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    order = [out.index(name) for name in ("─ user", "─ planner", "─ researcher", "─ writer", "─ reviewer")]
    assert order == sorted(order)
    assert "used search_notes" in out
    assert "Verdict: REVISE" in out
    report = out[out.index("Report") :]
    assert "the effects happen once" in report
    assert "Token usage" in report
    assert "9 messages" in out


def test_an_exhausted_script_is_a_clear_error_and_a_failing_exit(tmp_path: Path) -> None:
    script = tmp_path / "short.json"
    script.write_text('{"agents": {"planner": [{"structured": {"steps": ["one"]}}]}}')
    done = _run("--in-process", "--model", "scripted", "--script", str(script), TASK)
    assert done.returncode == 1
    assert "error:" in done.stdout
    assert "model script has no reply" in done.stdout
    assert "agent 'researcher'" in done.stdout


def test_the_default_run_goes_through_service_bus_functions_and_cosmos() -> None:
    done = _run("--model", "scripted", TASK, timeout=180)
    assert_demo_run_printed(done)
    assert "posted to Service Bus queue 'tasks' as run" in done.stdout
    assert "following it in Cosmos DB" in done.stdout
    assert "completed: text 'Verdict: APPROVE' mentioned by reviewer" in done.stdout
    # The scripted model estimates tokens by one rule in-process and in the scripted server: equal to the token.
    in_process = _run("--in-process", "--model", "scripted", TASK)
    assert _usage_rows(done.stdout) == _usage_rows(in_process.stdout)
    assert _usage_rows(done.stdout)["all"][2] > 1000


def _usage_rows(out: str) -> dict[str, list[int]]:
    """agent → [prompt, completion, total] of the printed token usage table."""
    rows: dict[str, list[int]] = {}
    for line in out.split("Token usage", 1)[1].splitlines():
        cells = line.replace("│", " ").split()
        if len(cells) == 4 and all(cell.isdigit() for cell in cells[1:]):
            rows[cells[0]] = [int(cell) for cell in cells[1:]]
    return rows


def test_a_serverless_run_whose_model_fails_ends_failed_with_the_stored_error(tmp_path: Path) -> None:
    script = tmp_path / "short.json"
    script.write_text('{"agents": {"planner": [{"structured": {"steps": ["one"]}}]}}')
    done = _run("--model", "scripted", "--script", str(script), TASK, timeout=180)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "failed:" in done.stdout
    assert "researcher" in done.stdout
