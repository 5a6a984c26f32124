"""Run events through real processes: best-effort once a hop is settled, re-announced after a crash between the final
commit and its flush, and unable to fill the `run-events` topic when nobody reads them."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusSubQueue
from azure.servicebus.aio import ServiceBusClient as AsyncServiceBusClient

from switchboard.functions.entities import EntityList
from switchboard.hosting.entity_names import MONITOR_SUBSCRIPTION, RUN_EVENTS_TOPIC
from switchboard.transport import ServiceBusPublisher, SubscriptionTable
from tests.support.hosted_runs import DEMO_SCRIPT, make_stack, run_item, start, wait_run_ended, wait_until
from tests.support.stack import Stack, repo_script_root, scrub_env

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]

CRASH_APP = Path(__file__).with_name("event_crash_app")


def _entities() -> EntityList:
    from agents.registry import TEAMS
    from switchboard.functions.entities import entities_for

    return entities_for(TEAMS)


def _edit_config(stack: Stack, change: object) -> None:
    config = json.loads(stack.servicebus_config.read_text())
    namespace = config["UserConfig"]["Namespaces"][0]
    change(namespace)  # type: ignore[operator]
    stack.servicebus_config.write_text(json.dumps(config, indent=2))


@pytest.fixture
def stack_without_events(tmp_path: Path) -> Iterator[Stack]:
    """The product app on a namespace whose `run-events` topic is missing: every announcement fails."""
    scrub_env()
    stack = make_stack(tmp_path, repo_script_root(), DEMO_SCRIPT, _entities())
    _edit_config(stack, lambda namespace: namespace.update(Topics=[]))
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def test_a_run_completes_when_no_event_can_be_published(stack_without_events: Stack) -> None:
    stack = stack_without_events
    run_id = start(stack, "research", "Write a short note on message brokers")
    run = wait_run_ended(stack, run_id)
    assert run["status"] == "completed", run
    log = stack.processes["host"].log()
    assert "event was not published" in log
    with (
        ServiceBusClient.from_connection_string(stack.sb_connection) as client,
        client.get_queue_receiver("research", sub_queue=ServiceBusSubQueue.DEAD_LETTER) as letters,
    ):
        assert letters.peek_messages(max_message_count=10) == []  # no hop was retried into the dead-letter queue


def _events_of(stack: Stack, run_id: str, wait: float) -> list[str]:
    """The statuses announced for `run_id` on the monitor subscription (read and completed), in order."""
    statuses: list[str] = []
    deadline = time.monotonic() + wait
    with (
        ServiceBusClient.from_connection_string(stack.sb_connection) as client,
        client.get_subscription_receiver(RUN_EVENTS_TOPIC, MONITOR_SUBSCRIPTION) as receiver,
    ):
        while time.monotonic() < deadline and "completed" not in statuses:
            for message in receiver.receive_messages(max_message_count=50, max_wait_time=1):
                receiver.complete_message(message)
                if json.loads(str(message))["run_id"] == run_id:
                    statuses.append(str(message.subject))
    return statuses


@pytest.fixture
def crashing_stack(tmp_path: Path) -> Iterator[Stack]:
    """The event-crash app (dies once before announcing `completed`), with short locks so redelivery comes soon."""
    scrub_env()
    stack = make_stack(tmp_path, CRASH_APP, DEMO_SCRIPT, _entities(), LockDuration="PT5S")
    stack.extra_env["EVENT_CRASH_MARK"] = str(tmp_path / "crashed.txt")
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def test_a_crash_between_the_final_commit_and_its_flush_announces_completed_after_restart(
    crashing_stack: Stack,
) -> None:
    stack = crashing_stack
    mark = Path(stack.extra_env["EVENT_CRASH_MARK"])
    run_id = start(stack, "research", "Write a short note on outboxes")
    host = stack.processes["host"]
    wait_until(lambda: host.popen.poll() is not None, "the host dying before the completed event", stack, 120)
    assert mark.read_text() == run_id
    assert (run_item(stack, run_id) or {}).get("status") == "completed"  # committed before the crash
    before = _events_of(stack, run_id, wait=2)
    assert "completed" not in before
    stack.processes.pop("host")
    stack.start_host()
    after = _events_of(stack, run_id, wait=60)
    assert after[-1:] == ["completed"], (before, after, stack.logs())


def test_unread_events_expire_from_the_monitor_subscription_without_dead_lettering(tmp_path: Path) -> None:
    stack = make_stack(tmp_path, repo_script_root(), DEMO_SCRIPT, _entities())
    generated = json.loads(stack.servicebus_config.read_text())["UserConfig"]["Namespaces"][0]["Topics"]
    (monitor,) = generated[0]["Subscriptions"]
    assert monitor["Properties"]["DefaultMessageTimeToLive"] == "PT1H"
    assert monitor["Properties"]["DeadLetteringOnMessageExpiration"] is False

    def scale_down(namespace: dict[str, list[dict[str, dict[str, object]]]]) -> None:
        # The generated hour, scaled down to two seconds so the test sees it pass.
        namespace["Topics"][0]["Subscriptions"][0]["Properties"]["DefaultMessageTimeToLive"] = "PT2S"  # type: ignore[index]

    _edit_config(stack, scale_down)
    stack.start_servicebus()
    try:
        asyncio.run(_announce(stack, 30))
        with (
            ServiceBusClient.from_connection_string(stack.sb_connection) as client,
            client.get_subscription_receiver(RUN_EVENTS_TOPIC, MONITOR_SUBSCRIPTION) as receiver,
            client.get_subscription_receiver(
                RUN_EVENTS_TOPIC, MONITOR_SUBSCRIPTION, sub_queue=ServiceBusSubQueue.DEAD_LETTER
            ) as letters,
        ):
            assert len(receiver.peek_messages(max_message_count=100)) == 30
            time.sleep(3)
            assert receiver.peek_messages(max_message_count=100) == []
            assert receiver.receive_messages(max_message_count=100, max_wait_time=1) == []
            assert letters.peek_messages(max_message_count=100) == []
    finally:
        stack.stop_all()


async def _announce(stack: Stack, count: int) -> None:
    """Announce `count` statuses through the product's publisher, as hosts do."""
    async with AsyncServiceBusClient.from_connection_string(stack.sb_connection) as client:
        publisher = ServiceBusPublisher(client, SubscriptionTable({}))
        try:
            for n in range(count):
                await publisher.publish_event(f"run-{n}", "completed")
        finally:
            await publisher.close()
