"""`switchboard host` runs the toy app against the Service Bus emulator: arguments, settlement, sessions, HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceivedMessage, ServiceBusSubQueue

from tests.hosting.local.conftest import HOST_KEY, ToyHost

pytestmark = pytest.mark.emulator


def send(host: ToyHost, queue: str, *messages: ServiceBusMessage, topic: bool = False) -> None:
    with ServiceBusClient.from_connection_string(host.connection_string) as client:
        sender = client.get_topic_sender(queue) if topic else client.get_queue_sender(queue)
        with sender:
            sender.send_messages(list(messages))


def dead_letters(host: ToyHost, queue: str, count: int) -> list[ServiceBusReceivedMessage]:
    """Receive (and complete) ``count`` messages from the queue's DLQ, waiting up to 30 s for them."""
    got: list[ServiceBusReceivedMessage] = []
    with ServiceBusClient.from_connection_string(host.connection_string) as client:
        receiver = client.get_queue_receiver(queue, sub_queue=ServiceBusSubQueue.DEAD_LETTER)
        with receiver:
            for _ in range(30):
                for message in receiver.receive_messages(max_message_count=count - len(got), max_wait_time=1):
                    receiver.complete_message(message)
                    got.append(message)
                if len(got) >= count:
                    break
    return got


def remaining(host: ToyHost, queue: str) -> list[str]:
    """Bodies still in the queue (peeked, nothing locked)."""
    with ServiceBusClient.from_connection_string(host.connection_string) as client:
        if queue == "toy-sessions":
            return []
        with client.get_queue_receiver(queue) as receiver:
            return [str(m) for m in receiver.peek_messages(max_message_count=50)]


def test_plain_trigger_gets_the_converter_built_message_and_completes_it(toy_host: ToyHost) -> None:
    tag = uuid.uuid4().hex
    send(
        toy_host,
        "toy-plain",
        ServiceBusMessage(
            f"ok-{tag}",
            message_id=f"m-{tag}",
            application_properties={"kind": "probe", "n": 7},
            correlation_id="corr-1",
            content_type="text/plain",
            subject="subj",
        ),
    )
    (row,) = toy_host.wait_records(1, fn="plain", message_id=f"m-{tag}")
    assert row["body"] == f"ok-{tag}"
    assert row["delivery_count"] == 1
    assert row["application_properties"] == {"kind": "probe", "n": 7}
    assert (row["correlation_id"], row["content_type"], row["subject"]) == ("corr-1", "text/plain", "subj")
    assert row["enqueued"] is True
    assert row["sequence_number"] >= 1
    assert row["lock_token"]
    # The queue came from local.settings.json (%PLAIN_QUEUE%); TOY_LABEL is in both: the environment wins.
    assert row["label"] == "from-env"
    assert f"ok-{tag}" not in remaining(toy_host, "toy-plain")


def test_an_exception_abandons_until_max_delivery_count_dead_letters(toy_host: ToyHost) -> None:
    tag = uuid.uuid4().hex
    send(toy_host, "toy-plain", ServiceBusMessage(f"fail-{tag}", message_id=f"f-{tag}"))
    (dead,) = dead_letters(toy_host, "toy-plain", 1)
    assert str(dead) == f"fail-{tag}"
    rows = toy_host.records(fn="plain", message_id=f"f-{tag}")
    assert [r["delivery_count"] for r in rows] == [1, 2, 3]  # toy-plain has MaxDeliveryCount 3


def test_sdk_type_binding_settles_through_the_actions_and_sessions_stay_fifo(toy_host: ToyHost) -> None:
    tag = uuid.uuid4().hex
    run_a, run_b = f"a-{tag}", f"b-{tag}"
    messages = [
        ServiceBusMessage(f"ok-{i}", message_id=f"{run_a}-{i}", session_id=run_a, application_properties={"i": str(i)})
        for i in range(4)
    ]
    messages.append(ServiceBusMessage("dead-now", message_id=f"{run_b}-dead", session_id=run_b))
    messages.append(ServiceBusMessage("abandon-me", message_id=f"{run_b}-abandon", session_id=run_b))
    send(toy_host, "toy-sessions", *messages)

    ordered = toy_host.wait_records(4, fn="sessions", session_id=run_a)
    assert [r["body"] for r in ordered] == ["ok-0", "ok-1", "ok-2", "ok-3"]
    assert [r["application_properties"] for r in ordered] == [{"i": str(i)} for i in range(4)]
    assert all(r["delivery_count"] == 1 and r["lock_token"] for r in ordered)

    dead = dead_letters(toy_host, "toy-sessions", 2)
    by_id = {m.message_id: m for m in dead}
    assert set(by_id) == {f"{run_b}-dead", f"{run_b}-abandon"}
    assert (by_id[f"{run_b}-dead"].dead_letter_reason, by_id[f"{run_b}-dead"].dead_letter_error_description) == (
        "ToyReason",
        "asked to dead-letter",
    )
    assert len(toy_host.records(fn="sessions", message_id=f"{run_b}-dead")) == 1  # dead-lettered at once
    abandoned = toy_host.records(fn="sessions", message_id=f"{run_b}-abandon")
    assert [r["delivery_count"] for r in abandoned] == [1, 2, 3]


def test_a_function_longer_than_the_lock_keeps_it_by_renewal(toy_host: ToyHost) -> None:
    tag = uuid.uuid4().hex
    send(toy_host, "toy-slow", ServiceBusMessage("7", message_id=f"slow-{tag}"))  # the queue's lock is 5 s
    toy_host.wait_records(1, fn="slow", event="end", message_id=f"slow-{tag}")
    starts = toy_host.records(fn="slow", event="start", message_id=f"slow-{tag}")
    assert [r["delivery_count"] for r in starts] == [1]
    assert remaining(toy_host, "toy-slow") == []


def test_topic_subscription_trigger(toy_host: ToyHost) -> None:
    tag = uuid.uuid4().hex
    send(toy_host, "toy-events", ServiceBusMessage(f"event-{tag}", message_id=f"t-{tag}"), topic=True)
    (row,) = toy_host.wait_records(1, fn="topic", message_id=f"t-{tag}")
    assert row["body"] == f"event-{tag}"


def http(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_http_routes_methods_and_auth_levels(toy_host: ToyHost) -> None:
    base = toy_host.url
    assert http("GET", f"{base}/hello/world?suffix=!") == (200, "hello world!")
    status, body = http("POST", f"{base}/secret", b"psst", {"x-functions-key": HOST_KEY})
    assert (status, json.loads(body)) == (200, {"echo": "psst"})
    assert http("POST", f"{base}/secret?code={HOST_KEY}", b"q")[0] == 200
    assert http("POST", f"{base}/secret", b"x", {"x-functions-key": "wrong"})[0] == 401
    status, body = http("POST", f"{base}/secret", b"x")
    assert status == 401
    assert "x-functions-key" in body
    assert http("GET", f"{base}/secret", headers={"x-functions-key": HOST_KEY})[0] == 405
    assert http("GET", f"{base}/nowhere")[0] == 404
