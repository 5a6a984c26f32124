"""`switchboard dlq list|show|replay` against the Service Bus emulator, dead-lettering through the real SDK."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage
from typer.testing import CliRunner

from switchboard.cli.app import app
from tests.cli.conftest import Deployment

pytestmark = pytest.mark.emulator


def _cli(deployment: Deployment, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, "--settings", str(deployment.settings_file)])


def test_list_show_and_replay_a_dead_lettered_agent_message(deployment: Deployment) -> None:
    connection = deployment.values["ServiceBusConnection"]
    with ServiceBusClient.from_connection_string(connection) as bus:
        with bus.get_queue_sender("planner") as sender:
            sender.send_messages(
                ServiceBusMessage(b'{"bad": 1}', message_id="m-1", session_id="run-7", subject="TaskSubmitted")
            )
        with bus.get_queue_receiver("planner", session_id="run-7", max_wait_time=5) as receiver:
            (message,) = receiver.receive_messages(max_message_count=1, max_wait_time=5)
            receiver.dead_letter_message(
                message, reason="InvalidEnvelopeError", error_description="missing field 'type'"
            )

    listed = _cli(deployment, "dlq", "list", "--queue", "planner", "--json")
    assert listed.exit_code == 0, listed.output
    (letter,) = json.loads(listed.stdout)
    assert (letter["message_id"], letter["reason"], letter["session_id"]) == ("m-1", "InvalidEnvelopeError", "run-7")

    every_queue = _cli(deployment, "dlq", "list")  # all queues of the registry, as a table
    assert every_queue.exit_code == 0, every_queue.output
    assert "1 dead-lettered in research, planner" in every_queue.output
    assert "InvalidEnvelopeError" in every_queue.output

    shown = _cli(deployment, "dlq", "show", "planner", "m-1")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["description"] == "missing field 'type'"

    replayed = _cli(deployment, "dlq", "replay", "planner", "m-1")
    assert replayed.exit_code == 0, replayed.output
    assert "replayed 1 message(s) to planner: m-1" in replayed.output
    assert json.loads(_cli(deployment, "dlq", "list", "--queue", "planner", "--json").stdout) == []
    with (
        ServiceBusClient.from_connection_string(connection) as bus,
        bus.get_queue_receiver("planner", session_id="run-7", max_wait_time=5) as receiver,
    ):
        (copy,) = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        receiver.complete_message(copy)
    assert b"".join(copy.body) == b'{"bad": 1}'
    assert dict(copy.application_properties or {}).get(b"replay_of") == b"m-1"


def test_show_and_replay_of_an_unknown_message_fail_clearly(deployment: Deployment) -> None:
    shown = _cli(deployment, "dlq", "show", "tasks", "nope")
    assert shown.exit_code == 1
    assert "no dead-lettered message 'nope' in 'tasks'" in shown.output
    replayed = _cli(deployment, "dlq", "replay", "tasks", "nope")
    assert replayed.exit_code == 1
    assert "not found in the dead-letter queue: nope" in replayed.output
    bare = _cli(deployment, "dlq", "replay", "tasks")
    assert bare.exit_code == 2
    assert "--all" in bare.output
