"""The analysis desk through the real serverless path: the product's Function App in `switchboard host`, the
Service Bus, Cosmos DB and sessions emulators and the scripted model as processes.

The run pauses before the coder's code runs (`awaiting_input`, the code in `pending_input`), survives a host restart
while it waits, runs the code once approved over HTTP — in the sessions emulator, in the session named by the run
id, where the CSV was uploaded — and completes with the critic's approval of the computed answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from agents.analysis import DATA
from tests.support.hosted_runs import make_stack, post, transcript_items, wait_for_status, wait_run_ended
from tests.support.processes import REPO_ROOT
from tests.support.sessions import EMULATOR_TOKEN, SessionsEmulator, start_sessions_emulator
from tests.support.stack import Stack, repo_script_root, scrub_env

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

SCRIPT = REPO_ROOT / "agents" / "scripts" / "analysis_demo.json"
QUESTION = "Which region had the highest total revenue in sales.csv, and how much was it?"


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SessionsEmulator]:
    emulator = start_sessions_emulator(tmp_path_factory.mktemp("analysis-sessions"))
    try:
        yield emulator
    finally:
        emulator.process.stop()


@pytest.fixture(scope="module")
def analysis_stack(tmp_path_factory: pytest.TempPathFactory, sessions: SessionsEmulator) -> Iterator[Stack]:
    from agents.registry import TEAMS
    from switchboard.functions.entities import entities_for

    scrub_env()
    stack = make_stack(tmp_path_factory.mktemp("analysis"), repo_script_root(), SCRIPT, entities_for(TEAMS))
    stack.extra_env.update({"ACA_SESSIONS_ENDPOINT": sessions.endpoint, "ACA_SESSIONS_TOKEN": EMULATOR_TOKEN})
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def test_the_analysis_run_waits_for_approval_across_a_restart_then_runs_the_code_in_its_session(
    analysis_stack: Stack, sessions: SessionsEmulator
) -> None:
    stack = analysis_stack
    status, body = post(stack, "/api/runs", {"task": QUESTION, "team": "analysis"})
    assert status == 202, body
    run_id = str(body["run_id"])
    run = wait_for_status(stack, run_id, "awaiting_input")
    pending = run["pending_input"]
    assert (pending["kind"], pending["agent"], pending["tool"]) == ("approval", "executor", "code_execution")
    assert 'open("sales.csv"' in json.loads(pending["arguments"])["code"]
    assert [e["source"] for e in transcript_items(stack, run_id)] == ["user", "coder"]

    stack.stop("host")  # nothing of the paused run is in the host's memory
    stack.start_host()
    status, body = post(stack, f"/api/runs/{run_id}/input", {"approve": True})
    assert status == 202, body

    run = wait_run_ended(stack, run_id)
    assert run["status"] == "completed", stack.logs()
    entries = [(e["source"], e["content"]) for e in transcript_items(stack, run_id)]
    assert [source for source, _ in entries] == ["user", "coder", "executor", "critic"]
    assert entries[2][1].splitlines() == [
        "North: 45000",
        "South: 42500",
        "West: 35750",
        "East: 33150",
        "Highest total revenue: North with 45000",
    ]
    assert entries[3][1].startswith("Verdict: APPROVE")
    assert run["stop_reason"] == "text 'Verdict: APPROVE' mentioned by critic"
    # The code ran in the emulator's session of this run, with the CSV uploaded into its /mnt/data.
    listing = sessions.call("GET", "files", run_id)
    assert listing.status == 200, listing.body
    assert [f["name"] for f in listing.json()["value"]] == ["sales.csv"]
    assert sessions.call("GET", "files/sales.csv/content", run_id).body == DATA.read_bytes()
