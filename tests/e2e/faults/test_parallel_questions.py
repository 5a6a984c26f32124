"""Parallel questions through real processes: a GraphFlow fan-out whose two branches each wait for an approval.

The emulators, the scripted model and `switchboard host` run as separate processes (the app is `questions_app`);
Studio (`switchboard studio --api`) shows both questions in Debian's chromium through playwright.
Both branches ask at once, so the run document holds two open questions keyed by request id; the run stays
`awaiting_input` until the last is answered, each answer resumes only its own branch, and an approval that times
out is denied without touching the other branch's question.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect, sync_playwright
from typer.testing import CliRunner

from switchboard.cli.app import app as cli_app
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.hosted_runs import app_stack, post, start, transcript_items, wait_for_status
from tests.support.processes import REPO_ROOT, free_port
from tests.support.stack import HOST_KEY, Stack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

APP = Path(__file__).with_name("questions_app")


@pytest.fixture(scope="module")
def gates_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("questions")
    stack = app_stack(root, APP)
    stack.extra_env["GATE_MARKS"] = str(root / "marks.txt")
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def _view(stack: Stack, run_id: str) -> dict[str, Any]:
    status, body = post(stack, f"/api/runs/{run_id}")
    assert status == 200, body
    return dict(body)


def _wait_view(stack: Stack, run_id: str, what: str, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    view = _view(stack, run_id)
    while not check(view):
        assert time.monotonic() < deadline, f"{what} did not happen: {view}\n{stack.logs()}"
        time.sleep(0.2)
        view = _view(stack, run_id)
    return view


def _open(view: dict[str, Any]) -> dict[str, str]:
    """Agent → request id of each open question."""
    return {question["agent"]: request_id for request_id, question in view["pending_inputs"].items()}


def _marks(stack: Stack, since: int = 0) -> list[str]:
    """The tool calls the host made (the file is shared by the module's runs: `since` skips earlier ones)."""
    path = Path(stack.extra_env["GATE_MARKS"])
    return path.read_text().splitlines()[since:] if path.exists() else []


def _sources(stack: Stack, run_id: str) -> list[str]:
    return [entry["source"] for entry in transcript_items(stack, run_id)]


def _settings(stack: Stack, tmp_path: Path) -> Path:
    settings = tmp_path / "local.settings.json"
    settings.write_text(json.dumps({"IsEncrypted": False, "Values": stack.app_env()}))
    return settings


@pytest.mark.parametrize(("first", "second"), [("left", "right"), ("right", "left")], ids=["left-first", "right-first"])
def test_two_approvals_answered_in_either_order_complete_both_branches(
    gates_stack: Stack, tmp_path: Path, first: str, second: str
) -> None:
    stack = gates_stack
    before = len(_marks(stack))
    run_id = start(stack, "gates", f"ship both parts, {first} first")
    view = _wait_view(stack, run_id, "two open questions", lambda v: len(v["pending_inputs"]) == 2)
    assert view["status"] == "awaiting_input"
    asked = _open(view)
    assert set(asked) == {"left", "right"}
    assert {(q["kind"], q["tool"]) for q in view["pending_inputs"].values()} == {("approval", "ship")}
    assert view["pending_input"] == view["pending_inputs"][next(iter(view["pending_inputs"]))]  # the oldest

    # Which question is answered must be said while two are open; an unknown one is refused.
    status, body = post(stack, f"/api/runs/{run_id}/input", {"approve": True})
    assert status == 400, body
    assert asked["left"] in body["error"]
    assert asked["right"] in body["error"]
    status, body = post(stack, f"/api/runs/{run_id}/input", {"approve": True, "request_id": "no-such-request"})
    assert status == 409, body
    assert "no open question 'no-such-request'" in body["error"]

    settings = _settings(stack, tmp_path)
    shown = CliRunner().invoke(cli_app, ["runs", "show", run_id, "--settings", str(settings)])
    assert shown.exit_code == 0, shown.output
    for agent in ("left", "right"):
        assert f"switchboard runs reply {run_id} --approve | --deny --request {asked[agent]}" in shown.output
    # A script (nothing on stdin) is told to name one; a person picks one from the numbered list.
    unnamed = CliRunner().invoke(cli_app, ["runs", "reply", run_id, "--approve", "--settings", str(settings)])
    assert unnamed.exit_code == 1
    assert "name one with --request" in " ".join(unnamed.output.split())
    number = list(view["pending_inputs"]).index(asked[first]) + 1
    picked = CliRunner().invoke(
        cli_app, ["runs", "reply", run_id, "--approve", "--settings", str(settings)], input=f"{number}\n"
    )
    assert picked.exit_code == 0, picked.output
    assert f"answered {first}'s approval request" in " ".join(picked.output.split())

    # The first branch goes on to the join; the run still waits for the other question, and only for it.
    view = _wait_view(stack, run_id, f"{first}'s branch", lambda v: first in [e["source"] for e in v["transcript"]])
    assert view["status"] == "awaiting_input"
    assert _open(view) == {second: asked[second]}
    assert _marks(stack, before).count(f"shipped {first}") == 1
    assert f"shipped {second}" not in _marks(stack, before)
    status, body = post(stack, f"/api/runs/{run_id}/input", {"approve": True, "request_id": asked[first]})
    assert status == 409, body  # answered already

    status, body = post(stack, f"/api/runs/{run_id}/input", {"approve": True})  # the only one open now
    assert (status, body["request_id"]) == (202, asked[second])
    run = wait_for_status(stack, run_id, "completed")
    assert run["pending_inputs"] == {}
    assert run["pending_input"] is None
    assert run["stop_reason"] == "Digraph execution is complete"
    assert _sources(stack, run_id) == ["user", "lead", first, second, "judge"]
    marks = _marks(stack, before)
    assert (marks.count("shipped left"), marks.count("shipped right")) == (1, 1)


def test_one_question_times_out_while_the_other_is_answered(gates_stack: Stack) -> None:
    stack = gates_stack
    before = len(_marks(stack))
    run_id = start(stack, "quickgates", "ship both parts")
    view = _wait_view(stack, run_id, "two open questions", lambda v: len(v["pending_inputs"]) == 2)
    asked = _open(view)
    right_question = view["pending_inputs"][asked["qright"]]
    assert view["pending_inputs"][asked["qleft"]]["deadline"] is not None
    assert right_question["deadline"] is None

    # qleft's approval times out (denied, as its policy says) and its branch goes on; qright's question is untouched.
    view = _wait_view(stack, run_id, "qleft's timeout", lambda v: "qleft" in [e["source"] for e in v["transcript"]])
    assert view["status"] == "awaiting_input"
    assert view["pending_inputs"] == {asked["qright"]: right_question}
    assert "shipped qleft" not in _marks(stack, before)
    with urllib.request.urlopen(f"{stack.model_url}/_script/requests", timeout=10) as response:
        requests = json.loads(response.read())
    requests = requests["requests"] if isinstance(requests, dict) else requests
    qleft_calls = [r for r in requests if r.get("run_id") == run_id and r.get("agent") == "qleft"]
    assert len(qleft_calls) == 2
    assert "not approved within" in json.dumps(qleft_calls[1]["body"]["messages"])

    status, body = post(stack, f"/api/runs/{run_id}/input", {"approve": True, "request_id": asked["qright"]})
    assert (status, body["request_id"]) == (202, asked["qright"])
    run = wait_for_status(stack, run_id, "completed")
    assert run["pending_inputs"] == {}
    assert _sources(stack, run_id) == ["user", "qlead", "qleft", "qright", "qjudge"]
    assert _marks(stack, before).count("shipped qright") == 1
    assert "shipped qleft" not in _marks(stack, before)
    # The timed-out question cannot be answered any more.
    status, body = post(stack, f"/api/runs/{run_id}/input", {"approve": True, "request_id": asked["qleft"]})
    assert status == 409, body


@pytest.fixture(scope="module")
def studio_url(gates_stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`switchboard studio --api` in front of the stack's host, as a real process."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("studio") / "studio.log"
    command = [sys.executable, "-m", "switchboard", "studio", "--api", gates_stack.host_url, "--port", str(port)]
    env = {**os.environ, "SWITCHBOARD_API_KEY": HOST_KEY, "PYTHONUNBUFFERED": "1"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while "Switchboard Studio" not in log_path.read_text(errors="replace"):
            assert process.poll() is None, log_path.read_text(errors="replace")
            assert time.monotonic() < deadline, log_path.read_text(errors="replace")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_studio_shows_each_open_question_with_its_own_controls(gates_stack: Stack, studio_url: str) -> None:
    stack = gates_stack
    before = len(_marks(stack))
    run_id = start(stack, "gates", "ship both parts from the studio")
    _wait_view(stack, run_id, "two open questions", lambda v: len(v["pending_inputs"]) == 2)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{studio_url}/runs/{run_id}")
            left = page.get_by_role("region", name="Open question from left")
            right = page.get_by_role("region", name="Open question from right")
            expect(left).to_contain_text("ship", timeout=30_000)
            expect(right).to_contain_text("ship")
            expect(page.get_by_role("button", name="Approve")).to_have_count(2)
            right.get_by_role("button", name="Deny").click()
            # Right's question goes once its agent has taken the answer; left's stays, still answerable.
            expect(right).to_have_count(0, timeout=30_000)
            expect(left.get_by_role("button", name="Approve")).to_be_enabled()
            left.get_by_role("button", name="Approve").click()
            status = page.get_by_role("status").filter(has_text="Status:")
            expect(status).to_contain_text("completed", timeout=60_000)
            expect(page.get_by_role("region", name=re.compile("^Open question"))).to_have_count(0)
        finally:
            browser.close()
    run = wait_for_status(stack, run_id, "completed")
    assert _sources(stack, run_id)[-1] == "judge"
    assert run["pending_inputs"] == {}
    assert _marks(stack, before) == ["shipped left"]  # right was denied
