"""GraphFlow, Magentic-One and a nested team through the real serverless path; a parallel GraphFlow's two branches
run at the same time in the host.

The emulators, the scripted model and `switchboard host` run as separate processes. Each branch's scripted reply
is held back `DELAY` seconds by the model server. Run one after the other, the second branch's request could only
arrive after the first one's reply; in parallel both requests arrive before either reply is sent. The model
server's request log (`GET /_script/requests`, each with its arrival time `at`) tells which happened.
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.cosmos import CosmosClient
from azure.servicebus import ServiceBusClient, ServiceBusMessage

from tests.emulators.cosmos.cosmos_harness import KEY as COSMOS_KEY
from tests.support.stack import Stack, load_app_module, scrub_env

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

GRAPH_APP = Path(__file__).with_name("graph_app")
DELAY = 3.0
"""Seconds each branch's scripted reply is held back (from graph_app/script.json)."""


@pytest.fixture(scope="module")
def graph_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from switchboard.functions.entities import entities_for
    from tests.support.hosted_runs import make_stack

    module = load_app_module(GRAPH_APP / "function_app.py")
    scrub_env()
    stack = make_stack(
        tmp_path_factory.mktemp("graph"), GRAPH_APP, GRAPH_APP / "script.json", entities_for(module.TEAMS)
    )
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def _container(stack: Stack) -> Any:
    client = CosmosClient(stack.cosmos_endpoint, COSMOS_KEY)
    return client.get_database_client("switchboard").get_container_client("runs")


def _run(stack: Stack, run_id: str) -> dict[str, Any] | None:
    items = list(_container(stack).query_items("SELECT * FROM c WHERE c.type = 'run'", partition_key=run_id))
    return items[0] if items else None


def _requests(stack: Stack) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{stack.model_url}/_script/requests", timeout=10) as response:
        body = json.loads(response.read())
    return list(body["requests"] if isinstance(body, dict) else body)


def _submit_and_wait(stack: Stack, task: str, team: str) -> tuple[str, dict[str, Any]]:
    run_id = str(uuid.uuid4())
    with (
        ServiceBusClient.from_connection_string(stack.sb_connection) as client,
        client.get_queue_sender("tasks") as sender,
    ):
        sender.send_messages(ServiceBusMessage(json.dumps({"task": task, "team": team}), message_id=run_id))
    deadline = time.monotonic() + 120
    run: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        run = _run(stack, run_id)
        if run is not None and run["status"] in ("completed", "failed"):
            break
        time.sleep(0.3)
    assert run is not None, stack.logs()
    assert run["status"] == "completed", (run, stack.logs())
    return run_id, run


def _entries(stack: Stack, run_id: str) -> list[dict[str, Any]]:
    query = "SELECT * FROM c WHERE c.type = 'entry' ORDER BY c.index"
    return list(_container(stack).query_items(query, partition_key=run_id))


def test_fan_out_branches_overlap_in_time_and_the_join_sees_both(graph_stack: Stack) -> None:
    stack = graph_stack
    run_id, run = _submit_and_wait(stack, "pick one", "fanout")
    assert run["stop_reason"] == "Digraph execution is complete"
    assert set(run["usage"]) == {"lead", "left", "right", "judge"}

    sources = [entry["source"] for entry in _entries(stack, run_id)]
    assert sources[:2] == ["user", "lead"]
    assert sorted(sources[2:4]) == ["left", "right"]
    assert sources[4:] == ["judge"]

    asked = {request["agent"]: request for request in _requests(stack) if request.get("run_id") == run_id}
    assert set(asked) == {"lead", "left", "right", "judge"}
    left, right = asked["left"]["at"], asked["right"]["at"]
    # Sequential branches would put the second request at least DELAY after the first: these overlapped.
    assert abs(left - right) < DELAY, (left, right)
    # The join was asked only once both branches had answered.
    assert asked["judge"]["at"] >= max(left, right) + DELAY
    judge_prompt = json.dumps(asked["judge"]["body"]["messages"])
    assert "left view" in judge_prompt
    assert "right view" in judge_prompt


def test_magentic_one_over_a_nested_graph_team_completes_hosted(graph_stack: Stack) -> None:
    stack = graph_stack
    run_id, run = _submit_and_wait(stack, "should we adopt it?", "review")
    assert run["stop_reason"] == "the request is answered"
    # The orchestrator's six calls are counted under the team's name; the panel's three under the panel's.
    assert set(run["usage"]) == {"review", "panel", "writer"}
    entries = _entries(stack, run_id)
    outer = [(e["source"], e["content"]) for e in entries if e["index"] < 1_000_000]
    assert [source for source, _ in outer] == ["user", "review", "review", "panel", "review", "writer", "review"]
    assert outer[3] == ("panel", "merged view")
    assert outer[-1] == ("review", "final: adopt it")
    inner = [e["source"] for e in entries if e["index"] >= 1_000_000]
    assert inner[0] == "user"
    assert sorted(inner[1:3]) == ["con", "pro"]
    assert inner[3] == "merge"
