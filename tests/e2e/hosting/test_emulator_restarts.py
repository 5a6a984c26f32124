"""A run survives the Service Bus emulator and then the Cosmos DB emulator each being killed (SIGKILL) and
restarted mid-run: both keep their data on disk, the host reconnects, and the run completes with the transcript an
undisturbed run has.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage

from agents.registry import TEAMS
from switchboard.functions.entities import entities_for
from tests.support.hosted_runs import DEMO_SCRIPT, expected_transcript, make_stack, transcript_items, wait_for_status
from tests.support.stack import Stack, scrub_env

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


@pytest.fixture
def slow_stack(tmp_path: Path) -> Iterator[Stack]:
    # Every model answer takes 0.4 s, so the run is still going when the emulators are killed.
    script = json.loads(DEMO_SCRIPT.read_text())
    for entries in script["agents"].values():
        for entry in entries:
            entry["delay"] = 0.4
    slow = tmp_path / "slow.json"
    slow.write_text(json.dumps(script))
    scrub_env()
    stack = make_stack(tmp_path, DEMO_SCRIPT.parents[2], slow, entities_for(TEAMS))
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def wait_for_entries(stack: Stack, run_id: str, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(transcript_items(stack, run_id)) < count:
        assert time.monotonic() < deadline, stack.logs()
        time.sleep(0.1)


def test_a_run_survives_both_emulators_restarting_mid_run(slow_stack: Stack) -> None:
    task = "What survives an emulator crash?"
    run_id = str(uuid.uuid4())
    with (
        ServiceBusClient.from_connection_string(slow_stack.sb_connection) as client,
        client.get_queue_sender("tasks") as sender,
    ):
        sender.send_messages(ServiceBusMessage(json.dumps({"task": task}), message_id=run_id))

    wait_for_entries(slow_stack, run_id, 3)
    slow_stack.kill("servicebus")
    time.sleep(1.0)
    slow_stack.start_servicebus()

    wait_for_entries(slow_stack, run_id, 6)
    slow_stack.kill("cosmos")
    time.sleep(1.0)
    slow_stack.start_cosmos()

    run = wait_for_status(slow_stack, run_id, "completed", timeout=120)
    assert "APPROVE" in run["stop_reason"]
    entries = transcript_items(slow_stack, run_id)
    assert [(e["source"], e["content"]) for e in entries] == asyncio.run(expected_transcript(task))
