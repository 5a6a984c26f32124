"""Human in the loop and cancellation through the real serverless path: emulators, scripted model and
`switchboard host` as separate processes.

A run paused for an approval survives a host kill (nothing of it was in memory) and resumes on `POST .../input`;
its user proxy is answered with `switchboard runs reply`. Short timeouts fire as scheduled Service Bus messages
(the approval is denied, then the run stops). A cancel reaches a tool that is still running. The `/input` route
refuses what does not fit (400), unknown runs (404), runs that ask nothing (409) and calls without a key (401).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from switchboard.cli.app import app as cli_app
from tests.support.hosted_runs import (
    asked_agent,
    marks,
    post,
    start,
    transcript_items,
    wait_for_status,
    wait_until,
)
from tests.support.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


def test_a_paused_run_survives_a_host_restart_and_resumes_by_http_and_cli(hitl_stack: Stack, tmp_path: Path) -> None:
    run_id = start(hitl_stack, "desk", "publish v1")
    run = wait_for_status(hitl_stack, run_id, "awaiting_input")
    pending = run["pending_input"]
    assert (pending["kind"], pending["agent"], pending["tool"]) == ("approval", "writer", "publish")
    assert "published v1" not in marks(hitl_stack)

    # The /input route's refusals, on a run that does wait.
    assert post(hitl_stack, f"/api/runs/{run_id}/input", {"approve": True}, key=None)[0] == 401
    assert post(hitl_stack, f"/api/runs/{run_id}/input", {"input": "yes"})[0] == 400  # an approval wants approve
    assert post(hitl_stack, f"/api/runs/{run_id}/input", ["approve"])[0] == 400
    assert post(hitl_stack, "/api/runs/no-such-run/input", {"approve": True})[0] == 404

    settings = tmp_path / "local.settings.json"
    settings.write_text(json.dumps({"IsEncrypted": False, "Values": hitl_stack.app_env()}))
    shown = CliRunner().invoke(cli_app, ["runs", "show", run_id, "--settings", str(settings)])
    assert shown.exit_code == 0, shown.output
    assert f"switchboard runs reply {run_id} --approve | --deny" in shown.output

    # Nothing of the paused run lives in the host: kill it, start a new one, answer there.
    hitl_stack.kill("host")
    hitl_stack.start_host()
    status, body = post(hitl_stack, f"/api/runs/{run_id}/input", {"approve": True})
    assert status == 202, body
    assert body["request_id"] == pending["request_id"]
    wait_until(lambda: asked_agent(hitl_stack, run_id) == "editor", "the editor's question", hitl_stack)
    assert marks(hitl_stack).count("published v1") == 1

    result = CliRunner().invoke(cli_app, ["runs", "reply", run_id, "Looks good", "--settings", str(settings)])
    assert result.exit_code == 0, result.output
    assert "answered editor's input request" in " ".join(result.output.split())
    run = wait_for_status(hitl_stack, run_id, "completed")
    assert run["pending_input"] is None
    entries = transcript_items(hitl_stack, run_id)
    assert [(e["source"], e["content"]) for e in entries][1:] == [("writer", "writer done"), ("editor", "Looks good")]
    # The run asks nothing now: another answer is a conflict, for the API and the CLI alike.
    assert post(hitl_stack, f"/api/runs/{run_id}/input", {"input": "again"})[0] == 409
    again = CliRunner().invoke(cli_app, ["runs", "reply", run_id, "again", "--settings", str(settings)])
    assert again.exit_code == 1
    assert "is completed, not waiting for input" in " ".join(again.output.split())


def test_timeouts_fire_as_scheduled_messages_deny_then_stop(hitl_stack: Stack) -> None:
    run_id = start(hitl_stack, "quick", "publish quick")
    run = wait_for_status(hitl_stack, run_id, "cancelled", timeout=60)
    assert run["stop_reason"] == "no input from quickeditor within 2 s"
    assert "published quick" not in marks(hitl_stack)  # the approval timed out: denied
    entries = transcript_items(hitl_stack, run_id)
    assert [(e["source"], e["content"]) for e in entries][1:] == [("quickwriter", "quickwriter gave up")]
    assert post(hitl_stack, f"/api/runs/{run_id}/input", {"input": "too late"})[0] == 409


def test_a_cancel_reaches_the_running_tool_and_the_run_ends_cancelled(hitl_stack: Stack) -> None:
    run_id = start(hitl_stack, "export", "export everything")
    wait_until(lambda: "export started" in marks(hitl_stack), "the export", hitl_stack)
    status, body = post(hitl_stack, f"/api/runs/{run_id}/cancel")
    assert (status, body["status"]) == (202, "cancelled")
    wait_until(lambda: "export saw the cancel" in marks(hitl_stack), "the tool seeing the cancel", hitl_stack, 20)
    run = wait_for_status(hitl_stack, run_id, "cancelled")
    assert run["status"] == "cancelled"
    # The handler's message was completed, not retried: the tool ran once and never finished.
    time.sleep(1.0)
    assert marks(hitl_stack).count("export started") == 1
    assert "export finished" not in marks(hitl_stack)
