"""`switchboard runs cancel ID` on a running run through real processes: the tool still running in the host gets the
signal, the run ends `cancelled`, the tool never finishes (the HTTP route's twin is in test_human_in_the_loop.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from switchboard.cli.app import app as cli_app
from tests.support.hosted_runs import marks, start, wait_for_status, wait_until
from tests.support.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


def test_runs_cancel_reaches_the_running_tool_and_the_run_ends_cancelled(hitl_stack: Stack, tmp_path: Path) -> None:
    run_id = start(hitl_stack, "export", "export everything")
    wait_until(lambda: "export started" in marks(hitl_stack), "the export", hitl_stack)
    settings = tmp_path / "local.settings.json"
    settings.write_text(json.dumps({"IsEncrypted": False, "Values": hitl_stack.app_env()}))

    result = CliRunner().invoke(cli_app, ["runs", "cancel", run_id, "--settings", str(settings)])
    assert result.exit_code == 0, result.output
    assert f"run {run_id}: cancelled" in result.output
    wait_until(lambda: "export saw the cancel" in marks(hitl_stack), "the tool seeing the cancel", hitl_stack, 20)
    run = wait_for_status(hitl_stack, run_id, "cancelled")
    assert run["status"] == "cancelled"
    assert marks(hitl_stack).count("export started") == 1
    assert "export finished" not in marks(hitl_stack)

    again = CliRunner().invoke(cli_app, ["runs", "cancel", run_id, "--settings", str(settings)])
    assert again.exit_code == 1
    assert "already ended as cancelled" in " ".join(again.output.split())
