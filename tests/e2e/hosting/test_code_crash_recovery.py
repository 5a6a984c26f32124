"""Crash tests for code execution, with `switchboard host` killed by SIGKILL.

- Killed after the code ran but before its hop committed: the redelivered message replays the journaled execution
  (the code's side-effect file has exactly one line), the model step that wrote the code is not asked again, and
  the run completes with the result of the one execution.
- Killed between two executions of a run: the session is the run's (in the sessions emulator), so a variable the
  first execution defined is there for the second, run by the restarted host.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchboard.agentchat.code_sessions import session_directory
from tests.support.hosted_runs import app_stack, post, transcript_items, wait_for_status, wait_run_ended
from tests.support.sessions import EMULATOR_TOKEN, start_sessions_emulator
from tests.support.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

APP = Path(__file__).with_name("code_crash_app")


@pytest.fixture
def code_stack(tmp_path: Path) -> Iterator[Stack]:
    stack = app_stack(tmp_path, APP)
    stack.extra_env["CODE_CRASH_WORK_DIR"] = str(tmp_path / "work")
    # A short lock, so the killed host's session comes back to the restarted host quickly (long enough that a loaded
    # machine still renews it in time: a lost lock would redeliver the message while its code runs).
    config = json.loads(stack.servicebus_config.read_text())
    for namespace in config["UserConfig"]["Namespaces"]:
        for queue in namespace["Queues"]:
            queue["Properties"]["LockDuration"] = "PT10S"
    stack.servicebus_config.write_text(json.dumps(config))
    sessions = start_sessions_emulator(tmp_path)
    stack.extra_env.update({"ACA_SESSIONS_ENDPOINT": sessions.endpoint, "ACA_SESSIONS_TOKEN": EMULATOR_TOKEN})
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()
        sessions.process.stop()


def model_requests(stack: Stack) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{stack.model_url}/_script/requests", timeout=10) as response:
        body = json.loads(response.read())
    return list(body["requests"] if isinstance(body, dict) else body)


def test_code_that_ran_before_a_host_kill_does_not_run_again(code_stack: Stack, tmp_path: Path) -> None:
    status, body = post(code_stack, "/api/runs", {"task": "count yourself", "team": "codeteam"})
    assert status == 202, body
    run_id = str(body["run_id"])
    executions = session_directory(tmp_path / "work", run_id) / "executions.txt"

    deadline = time.monotonic() + 60
    # The code ran and its result is journaled once the reflection is asked for (the model holds that answer back);
    # killing the host between the code's side effect and its journal entry would re-run it, as any at-least-once
    # executor must: that window is what idempotency keys are for, not what this test shows.
    while not any(r["run_id"] == run_id and r["index"] == 1 for r in model_requests(code_stack)):
        assert time.monotonic() < deadline, code_stack.logs()
        time.sleep(0.05)
    code_stack.kill("host")
    killed_at = time.time()
    assert executions.read_text() == "ran\n"
    code_stack.start_host()

    run = wait_run_ended(code_stack, run_id, timeout=120)
    assert run["status"] == "completed", code_stack.logs()
    assert executions.read_text() == "ran\n"  # replayed from the journal, not run again
    entries = transcript_items(code_stack, run_id)
    assert [(e["source"], e["content"]) for e in entries[1:]] == [("coderunner", "It ran once.")]
    asked = Counter((r["run_id"], r["agent"], r["index"]) for r in model_requests(code_stack))
    assert asked[(run_id, "coderunner", 0)] == 1  # the code-writing step was journaled before the kill
    assert asked[(run_id, "coderunner", 1)] == 2  # the reflection was cut off by the kill and asked again
    assert min(r["at"] for r in model_requests(code_stack)) < killed_at


def approve_pending(stack: Stack, run_id: str, seen: set[str]) -> None:
    """Wait for a question not answered yet and approve it."""
    deadline = time.monotonic() + 60
    while True:
        pending = wait_for_status(stack, run_id, "awaiting_input")["pending_input"]
        if pending["request_id"] not in seen:
            break
        assert time.monotonic() < deadline, stack.logs()
        time.sleep(0.2)
    seen.add(pending["request_id"])
    status, body = post(stack, f"/api/runs/{run_id}/input", {"approve": True})
    assert status == 202, body


def test_a_runs_python_session_outlives_the_host_that_ran_its_first_execution(code_stack: Stack) -> None:
    status, body = post(code_stack, "/api/runs", {"task": "define, then use", "team": "sessionteam"})
    assert status == 202, body
    run_id = str(body["run_id"])
    seen: set[str] = set()
    approve_pending(code_stack, run_id, seen)  # the first execution defines `answer`
    wait_for_status(code_stack, run_id, "awaiting_input")
    code_stack.kill("host")
    code_stack.start_host()
    approve_pending(code_stack, run_id, seen)  # the second, on the restarted host, uses it

    run = wait_run_ended(code_stack, run_id, timeout=120)
    assert run["status"] == "completed", code_stack.logs()
    entries = [(e["source"], e["content"]) for e in transcript_items(code_stack, run_id)]
    assert [source for source, _ in entries] == ["user", "writer", "runner", "writer", "runner"]
    assert entries[2][1] == "defined\n"
    assert entries[4][1] == "42\n"
