"""SelectorGroupChat end to end through real processes: Service Bus and Cosmos emulators, the scripted model server
and `switchboard host` running `selector_app/function_app.py`. The task is posted with the plain azure-servicebus
SDK; the run is read back with the plain azure-cosmos SDK.
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

APP = Path(__file__).with_name("selector_app")


@pytest.fixture(scope="module")
def selector_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = app_stack(tmp_path_factory.mktemp("selector"), APP)
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def test_a_selector_team_runs_serverless_with_its_selector_calls_checkpointed_and_counted(
    selector_stack: Stack,
) -> None:
    stack = selector_stack
    run_id = str(uuid.uuid4())
    task = "Write add(a, b)"
    with (
        ServiceBusClient.from_connection_string(stack.sb_connection) as client,
        client.get_queue_sender("tasks") as sender,
    ):
        sender.send_messages(ServiceBusMessage(json.dumps({"task": task, "team": "selteam"}), message_id=run_id))
    run = wait_run_ended(stack, run_id)
    assert run["status"] == "completed", run
    assert run["stop_reason"] == "text 'APPROVE' mentioned by reviewer"

    entries = list(
        runs_container(stack).query_items(
            "SELECT * FROM c WHERE c.type = 'entry' ORDER BY c.index", partition_key=run_id
        )
    )
    module = load_app_module(APP / "function_app.py")
    expected = asyncio.run(module.selector_team(ScriptedModelClient.from_file(APP / "script.json")).run(task))
    assert [(e["source"], e["content"]) for e in entries] == [(e.source, e.content) for e in expected.transcript]
    assert [e["source"] for e in entries] == ["user", "planner", "coder", "reviewer", "coder", "reviewer"]
    # The selector's six calls (one of them a retry after an invalid answer) are the team's usage.
    assert run["usage"]["selteam"] == {"prompt_tokens": 120, "completion_tokens": 6}
    assert run["usage"] == {name: usage.model_dump() for name, usage in expected.usage.items()}

    with urllib.request.urlopen(f"{stack.model_url}/_script/requests", timeout=10) as response:
        requests = [r for r in json.loads(response.read())["requests"] if r.get("run_id") == run_id]
    asked = Counter((r["agent"], r["index"]) for r in requests)
    assert {key: n for key, n in asked.items() if key[0] == "selteam"} == {("selteam", i): 1 for i in range(6)}
