"""The Service Bus adapter on the emulator through azure-servicebus aio: mapping, fan-out, duplicates, events, DLQ."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import pytest
from azure.servicebus import ServiceBusMessage, ServiceBusReceivedMessage
from azure.servicebus.aio import ServiceBusClient, ServiceBusSender
from azure.servicebus.exceptions import ServiceBusConnectionError

from switchboard.hosting.ports import REPLAY_OF
from switchboard.hosting.settings import HostingSettings
from switchboard.messages import Envelope
from switchboard.transport import (
    DeadLetters,
    ServiceBusPublisher,
    SubscriptionTable,
    envelope_from_message,
    text_properties,
)
from switchboard.transport.sender_pool import SenderPool
from tests.support.emulators import ServiceBusEmulator
from tests.support.hosting_agents import Job, JobDone

pytestmark = pytest.mark.emulator

RUN = "run-sb-1"
TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
ROUTES = SubscriptionTable({JobDone.message_type: ["sink", "other"]})


async def receive(
    client: ServiceBusClient, queue: str, count: int, *, session: str | None = RUN
) -> list[ServiceBusReceivedMessage]:
    """The `count` messages expected in `queue` (a session queue when `session` is given), completed."""
    async with client.get_queue_receiver(queue, session_id=session, max_wait_time=5) as receiver:
        received = await receiver.receive_messages(max_message_count=count, max_wait_time=5)
        for message in received:
            await receiver.complete_message(message)
    return received


def job(n: int = 1, target: str | None = None) -> Envelope:
    return Envelope.wrap(
        Job(n=n),
        run_id=RUN,
        message_id=f"job-{n}",
        source="worker",
        target=target,
        causation_id="cause-1",
        traceparent=TRACE,
    )


async def test_an_envelope_round_trips_with_ids_session_and_trace_in_properties(
    settings: HostingSettings, sb_client: ServiceBusClient
) -> None:
    publisher = ServiceBusPublisher.from_settings(settings, ROUTES)
    sent = job(target="worker")
    try:
        await publisher.publish([sent])
    finally:
        await publisher.close()
    (message,) = await receive(sb_client, "worker", 1)
    assert envelope_from_message(message) == sent
    assert message.message_id == sent.message_id
    assert message.session_id == RUN
    assert message.subject == Job.message_type
    assert message.content_type == "application/json"
    assert text_properties(message.application_properties) == {
        "type": Job.message_type,
        "version": "1",
        "run_id": RUN,
        "source": "worker",
        "target": "worker",
        "causation_id": "cause-1",
        "traceparent": TRACE,
    }


async def test_a_publish_fans_out_to_each_subscriber_and_an_unsubscribed_type_goes_nowhere(
    settings: HostingSettings, sb_client: ServiceBusClient, sb_emulator: ServiceBusEmulator
) -> None:
    publisher = ServiceBusPublisher(sb_client, ROUTES)
    done = Envelope.wrap(JobDone(n=1, effect=1), run_id=RUN, message_id="done-1", source="worker")
    await publisher.publish([done, job(7)])  # Job has no subscriber in ROUTES
    await publisher.close()
    assert publisher.sent == 2
    for queue in ("sink", "other"):
        (message,) = await receive(sb_client, queue, 1)
        assert envelope_from_message(message) == done.retarget(queue)
        assert message.message_id == "done-1"
    assert sb_emulator.counts("worker")["active"] == 0


async def test_a_resent_envelope_is_dropped_by_duplicate_detection(
    sb_client: ServiceBusClient, sb_emulator: ServiceBusEmulator
) -> None:
    publisher = ServiceBusPublisher(sb_client, ROUTES)
    first = job(target="worker")
    await publisher.publish([first])
    await publisher.publish([first, job(2, target="worker")])  # a redelivery re-sends the same outbox, and more
    await publisher.close()
    received = await receive(sb_client, "worker", 2)
    assert [m.message_id for m in received] == ["job-1", "job-2"]
    assert sb_emulator.counts("worker")["active"] == 0  # and no third copy


async def test_run_events_and_tasks(sb_client: ServiceBusClient) -> None:
    publisher = ServiceBusPublisher(sb_client, ROUTES)
    await publisher.publish_event(RUN, "running", event_id="e1")
    await publisher.publish_event(RUN, "running", event_id="e1")  # a redelivered hop announces again
    await publisher.publish_event(RUN, "completed")
    await publisher.send_task(RUN, task="write", team="team")
    await publisher.close()
    async with sb_client.get_subscription_receiver("run-events", "monitor", max_wait_time=5) as receiver:
        events = await receiver.receive_messages(max_message_count=2, max_wait_time=5)
    assert [(e.subject, text_properties(e.application_properties)["run_id"]) for e in events] == [
        ("running", RUN),
        ("completed", RUN),
    ]
    (task,) = await receive(sb_client, "tasks", 1, session=None)
    assert task.message_id == RUN
    assert json.loads(b"".join(task.body)) == {"task": "write", "team": "team"}


async def test_dead_letters_are_listed_shown_and_replayed(
    sb_client: ServiceBusClient, sb_emulator: ServiceBusEmulator
) -> None:
    async with sb_client.get_queue_sender("tasks") as sender:
        await sender.send_messages(
            [ServiceBusMessage(b"not json", message_id="t-1"), ServiceBusMessage(b"{}", message_id="t-2")]
        )
    async with sb_client.get_queue_receiver("tasks", max_wait_time=1) as receiver:
        for message in await receiver.receive_messages(max_message_count=2, max_wait_time=5):
            await receiver.dead_letter_message(message, reason="InvalidTaskError", error_description="not JSON")
    letters = DeadLetters(sb_client)
    listed = await letters.peek("tasks")
    assert [(d.message_id, d.reason, d.description) for d in listed] == [
        ("t-1", "InvalidTaskError", "not JSON"),
        ("t-2", "InvalidTaskError", "not JSON"),
    ]
    shown = await letters.show("tasks", "t-2")
    assert shown is not None
    assert shown.body == b"{}"
    assert shown.to_json()["body"] == "{}"
    assert await letters.show("tasks", "t-9") is None
    assert await letters.replay("tasks", ["t-2"]) == ["t-2"]
    assert [d.message_id for d in await letters.peek("tasks")] == ["t-1"]
    assert await letters.counts(["tasks", "worker"]) == {"tasks": 1, "worker": 0}
    (replayed,) = await receive(sb_client, "tasks", 1, session=None)
    assert b"".join(replayed.body) == b"{}"
    assert replayed.message_id != "t-2"  # a new id, or duplicate detection would drop it
    assert text_properties(replayed.application_properties)[REPLAY_OF] == "t-2"
    assert sb_emulator.counts("tasks")["active"] == 0


async def test_concurrent_hops_publish_through_a_few_senders_safely(
    sb_client: ServiceBusClient, sb_emulator: ServiceBusEmulator
) -> None:
    publisher = ServiceBusPublisher(sb_client, ROUTES)
    envelopes = [
        Envelope.wrap(Job(n=i), run_id=f"run-{i % 4}", message_id=f"c-{i}", target="worker") for i in range(40)
    ]
    # Many sessions' hops finish at once in one process; the first sends race to open the entity's senders.
    await asyncio.gather(*(publisher.publish([envelope]) for envelope in envelopes))
    await publisher.close()
    assert publisher.sent == 40
    counts = sb_emulator.counts("worker")
    assert (counts["active"], counts["sessions"]) == (40, 4)


async def test_concurrent_sends_to_one_queue_share_a_bounded_pool_and_a_broken_sender_is_replaced(
    sb_client: ServiceBusClient, sb_emulator: ServiceBusEmulator
) -> None:
    pool = SenderPool(sb_client, size=3)
    in_flight = 0
    most = 0

    def sending(n: int) -> Callable[[ServiceBusSender], Awaitable[None]]:
        async def send(sender: ServiceBusSender) -> None:
            nonlocal in_flight, most
            in_flight += 1
            most = max(most, in_flight)
            await sender.send_messages(ServiceBusMessage(f"m{n}", session_id=f"s{n % 3}"))
            in_flight -= 1

        return send

    await asyncio.gather(*(pool.use("queue", "worker", sending(n)) for n in range(12)))
    assert pool.count("queue", "worker") == 3
    assert most == 3  # sends ran side by side, never more than the pool's size

    async def broken(sender: ServiceBusSender) -> None:
        raise ServiceBusConnectionError(message="link lost")

    with pytest.raises(ServiceBusConnectionError):
        await pool.use("queue", "worker", broken)
    assert pool.count("queue", "worker") == 2  # the failed sender is closed and dropped
    await pool.use("queue", "worker", sending(12))
    await pool.close()
    assert pool.count("queue", "worker") == 0
    assert sb_emulator.counts("worker")["active"] == 13
