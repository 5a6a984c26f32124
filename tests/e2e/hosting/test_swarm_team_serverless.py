"""Swarm end to end through real processes: Service Bus and Cosmos emulators, the scripted model server and
`switchboard host` running `swarm_app/function_app.py`. The task goes in with the plain azure-servicebus SDK; the
run is read back with the plain azure-cosmos SDK and compared with the same team run in-process.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage

from switchboard.models.scripted import ScriptedModelClient
from tests.support.hosted_runs import app_stack, runs_container, wait_run_ended
from tests.support.stack import Stack, load_app_module

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

APP = Path(__file__).with_name("swarm_app")
TASK = "Where is my refund for A17?"


@pytest.fixture(scope="module")
def swarm_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = app_stack(tmp_path_factory.mktemp("swarm"), APP)
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def test_a_swarm_hands_off_through_real_processes_as_it_does_in_process(swarm_stack: Stack) -> None:
    stack = swarm_stack
    run_id = str(uuid.uuid4())
    with (
        ServiceBusClient.from_connection_string(stack.sb_connection) as client,
        client.get_queue_sender("tasks") as sender,
    ):
        sender.send_messages(ServiceBusMessage(json.dumps({"task": TASK, "team": "desk"}), message_id=run_id))
    run = wait_run_ended(stack, run_id)
    assert run["status"] == "completed", (run, stack.logs())
    assert run["stop_reason"] == "Handoff to user from triage detected."

    entries = list(
        runs_container(stack).query_items(
            "SELECT * FROM c WHERE c.type = 'entry' ORDER BY c.index", partition_key=run_id
        )
    )
    assert [(e["source"], e["kind"], e.get("target")) for e in entries] == [
        ("user", "task", None),
        ("triage", "handoff", "billing"),
        ("billing", "text", None),
        ("billing", "handoff", "triage"),
        ("triage", "handoff", "user"),
    ]
    module = load_app_module(APP / "function_app.py")
    expected = asyncio.run(module.swarm_team(ScriptedModelClient.from_file(APP / "script.json")).run(TASK))
    assert [(e["source"], e["content"]) for e in entries] == [(e.source, e.content) for e in expected.transcript]
    assert run["usage"] == {name: usage.model_dump() for name, usage in expected.usage.items()}

    # Each model step was asked once: the billing tool round (call, then answer) and every handoff.
    with urllib.request.urlopen(f"{stack.model_url}/_script/requests", timeout=10) as response:
        requests = [r for r in json.loads(response.read())["requests"] if r.get("run_id") == run_id]
    asked = Counter((r["agent"], r["index"]) for r in requests)
    assert asked == {("triage", 0): 1, ("triage", 1): 1, ("billing", 0): 1, ("billing", 1): 1, ("billing", 2): 1}
