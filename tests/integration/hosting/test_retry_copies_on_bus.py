"""Retry copies and a busy namespace on the Service Bus emulator, through azure-servicebus aio.

A copy is delivered at its scheduled time with the original's body, session and properties; it needs its own
MessageId, because duplicate detection remembers the original's id even after the original was completed; and
sends that wait on a sender another send just broke get a fresh sender, not a closed one.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from azure.servicebus import ServiceBusMessage
from azure.servicebus.aio import ServiceBusClient

from switchboard.hosting.backoff import RETRY_ATTEMPT, RETRY_OF, RetryMarks
from switchboard.hosting.settings import HostingSettings
from switchboard.hosting.transient_retry import RetryCopy
from switchboard.transport import ServiceBusPublisher, SubscriptionTable, text_properties
from switchboard.transport.errors import BusBusyError
from tests.support.emulators import ServiceBusEmulator

pytestmark = pytest.mark.emulator

RUN = "run-copies"


def server_busy(emulator: ServiceBusEmulator, seconds: float) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{emulator.control_port}/faults/server-busy",
        data=json.dumps({"for_seconds": seconds}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


@pytest.fixture
def busy_bus(sb_emulator: ServiceBusEmulator) -> Iterator[ServiceBusEmulator]:
    """The emulator, with any busy period ended after the test (other tests share it)."""
    try:
        yield sb_emulator
    finally:
        server_busy(sb_emulator, 0)


def copy_of(message_id: str, at: datetime) -> RetryCopy:
    marks = RetryMarks.of(message_id, {}).following(datetime.now(UTC))
    return RetryCopy(
        queue="worker",
        body=b'{"the": "original body"}',
        message_id=marks.copy_message_id(),
        at=at,
        properties={"type": "test.hosting.Job", "traceparent": "00-a-b-01", **marks.properties()},
        session_id=RUN,
        subject="test.hosting.Job",
        correlation_id="corr-1",
    )


async def test_a_copy_arrives_at_its_time_with_the_originals_body_session_and_properties(
    settings: HostingSettings, sb_client: ServiceBusClient
) -> None:
    publisher = ServiceBusPublisher.from_settings(settings, SubscriptionTable({}))
    copy = copy_of("job-1", datetime.now(UTC) + timedelta(seconds=3))
    try:
        await publisher.send_copy(copy)
        await publisher.send_copy(copy)  # a second handling of the same failure: dropped as a duplicate
    finally:
        await publisher.close()
    async with sb_client.get_queue_receiver("worker", session_id=RUN, max_wait_time=1) as receiver:
        early = await receiver.receive_messages(max_message_count=5, max_wait_time=0.5)
        assert early == []  # not before its time
        received = await receiver.receive_messages(max_message_count=5, max_wait_time=8)
        assert datetime.now(UTC) >= copy.at - timedelta(milliseconds=100)
        more = await receiver.receive_messages(max_message_count=5, max_wait_time=1)
        for message in [*received, *more]:
            await receiver.complete_message(message)
    assert len([*received, *more]) == 1
    (message,) = received
    assert str(message.message_id) == "job-1/retry-1"
    assert b"".join(message.body) == copy.body
    assert (message.session_id, message.subject, message.correlation_id) == (RUN, copy.subject, "corr-1")
    properties = text_properties(message.application_properties)
    assert properties[RETRY_OF] == "job-1"
    assert properties[RETRY_ATTEMPT] == "1"
    assert properties["traceparent"] == "00-a-b-01"


async def test_duplicate_detection_drops_a_copy_with_the_completed_originals_id_but_not_a_retry_copy(
    settings: HostingSettings, sb_client: ServiceBusClient
) -> None:
    async with sb_client.get_queue_sender("worker") as sender:
        await sender.send_messages(ServiceBusMessage(b"original", message_id="job-2", session_id=RUN))
    async with sb_client.get_queue_receiver("worker", session_id=RUN, max_wait_time=5) as receiver:
        (original,) = await receiver.receive_messages(max_message_count=1, max_wait_time=5)
        await receiver.complete_message(original)
    now = datetime.now(UTC)
    async with sb_client.get_queue_sender("worker") as sender:
        same_id = ServiceBusMessage(b"same id", message_id="job-2", session_id=RUN)
        same_id.scheduled_enqueue_time_utc = now
        await sender.send_messages(same_id)
    publisher = ServiceBusPublisher.from_settings(settings, SubscriptionTable({}))
    try:
        await publisher.send_copy(copy_of("job-2", now))
    finally:
        await publisher.close()
    async with sb_client.get_queue_receiver("worker", session_id=RUN, max_wait_time=3) as receiver:
        received = await receiver.receive_messages(max_message_count=5, max_wait_time=3)
        for message in received:
            await receiver.complete_message(message)
    assert [str(message.message_id) for message in received] == ["job-2/retry-1"]


async def test_sends_queued_behind_a_send_the_busy_namespace_broke_are_transient_not_closed_sender_errors(
    settings: HostingSettings, busy_bus: ServiceBusEmulator
) -> None:
    connection = settings.service_bus_connection.get_secret_value()  # type: ignore[union-attr]
    # No SDK retries, so each send fails at once while the namespace is busy.
    client = ServiceBusClient.from_connection_string(connection, retry_total=0)
    publisher = ServiceBusPublisher(client, SubscriptionTable({}))
    try:
        await publisher.publish_event(RUN, "running")  # opens the sender
        server_busy(busy_bus, 30)
        results = await asyncio.gather(
            *(publisher.publish_event(RUN, f"status-{n}") for n in range(4)), return_exceptions=True
        )
        assert [type(result) for result in results] == [BusBusyError] * 4, results
        assert all(isinstance(result, BusBusyError) and result.retry_after == 10.0 for result in results)
        server_busy(busy_bus, 0)
        await publisher.publish_event(RUN, "after")  # a fresh sender once the namespace is back
    finally:
        await publisher.close()
        await client.close()
