"""Injected Service Bus faults (`/faults/...` on the control port), seen through the real azure-servicebus SDK."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage
from azure.servicebus.exceptions import (
    MessageLockLostError,
    ServiceBusServerBusyError,
    SessionLockLostError,
)

from tests.emulators.servicebus.conftest import Emulator, launch

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """A private emulator: faults act on every connection, so they must not reach the shared one."""
    running = launch(tmp_path_factory.mktemp("sb-faults"))
    yield running
    running.process.stop()


@pytest.fixture
def sb(own: Emulator) -> Emulator:
    _fault(own, "server-busy", {"for_seconds": 0})
    own.control("/reset", "POST")
    return own


def _fault(emulator: Emulator, action: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body or {}).encode()
    request = urllib.request.Request(f"{emulator.control_url}/faults/{action}", data=data, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_dropped_connections_release_session_locks_and_clients_reconnect(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        with client.get_queue_sender("q-sessions") as sender:
            sender.send_messages(ServiceBusMessage("one", session_id="run-a"))
            holder = ServiceBusClient.from_connection_string(sb.connection_string)
            receiver = holder.get_queue_receiver("q-sessions", session_id="run-a", max_wait_time=2)
            with holder, receiver:
                assert [str(m) for m in receiver.receive_messages(max_wait_time=3)] == ["one"]
                assert sb.control("/faults")["connections"] >= 2
                assert _fault(sb, "drop-connections")["dropped"] >= 2
            # The same sender reconnects by itself; the session is free at once, its message offered again.
            sender.send_messages(ServiceBusMessage("two", session_id="run-a"))
        with client.get_queue_receiver("q-sessions", session_id="run-a", max_wait_time=2) as again:
            got = again.receive_messages(max_message_count=2, max_wait_time=3)
            assert [(str(m), m.delivery_count) for m in got] == [("one", 1), ("two", 0)]
            for message in got:
                again.complete_message(message)


def test_expired_message_lock_fails_settlement_and_redelivers(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string, retry_total=0) as client:
        with client.get_queue_sender("q") as sender:
            sender.send_messages(ServiceBusMessage("held"))
        with client.get_queue_receiver("q", max_wait_time=2) as receiver:
            (message,) = receiver.receive_messages(max_wait_time=3)
            assert _fault(sb, "expire-locks") == {"locks": 1, "sessions": 0}
            with pytest.raises(MessageLockLostError):
                receiver.complete_message(message)
            (again,) = receiver.receive_messages(max_wait_time=3)
            assert (str(again), again.delivery_count) == ("held", 1)
            receiver.complete_message(again)


def test_expired_session_lock_fails_settlement_and_frees_the_session(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string, retry_total=0) as client:
        with client.get_queue_sender("q-sessions") as sender:
            sender.send_messages(ServiceBusMessage("held", session_id="run-b"))
        with client.get_queue_receiver("q-sessions", session_id="run-b", max_wait_time=2) as receiver:
            (message,) = receiver.receive_messages(max_wait_time=3)
            assert _fault(sb, "expire-locks") == {"locks": 1, "sessions": 1}
            with pytest.raises(SessionLockLostError):
                receiver.complete_message(message)
        with client.get_queue_receiver("q-sessions", session_id="run-b", max_wait_time=2) as other:
            (again,) = other.receive_messages(max_wait_time=3)
            assert (str(again), again.delivery_count) == ("held", 1)
            other.complete_message(again)


def test_server_busy_refuses_sends_and_receives_for_the_period(sb: Emulator) -> None:
    with (
        ServiceBusClient.from_connection_string(sb.connection_string) as client,
        client.get_queue_sender("q") as sender,
    ):
        sender.send_messages(ServiceBusMessage("before"))
    view = _fault(sb, "server-busy", {"for_seconds": 3})
    assert view["busy_seconds_left"] > 2
    with ServiceBusClient.from_connection_string(sb.connection_string, retry_total=0) as client:
        with pytest.raises(ServiceBusServerBusyError), client.get_queue_sender("q") as sender:
            sender.send_messages(ServiceBusMessage("during"))
        with pytest.raises(ServiceBusServerBusyError), client.get_queue_receiver("q", max_wait_time=1) as receiver:
            receiver.receive_messages(max_wait_time=1)
    assert sb.control("/faults")["injected"]["server-busy"] >= 2
    time.sleep(max(sb.control("/faults")["busy_seconds_left"], 0) + 0.2)
    with ServiceBusClient.from_connection_string(sb.connection_string, retry_total=0) as client:
        with client.get_queue_sender("q") as sender:
            sender.send_messages(ServiceBusMessage("after"))
        with client.get_queue_receiver("q", max_wait_time=2) as receiver:
            got = receiver.receive_messages(max_message_count=5, max_wait_time=3)
            assert sorted(str(m) for m in got) == ["after", "before"]
            for message in got:
                receiver.complete_message(message)


def test_server_busy_on_an_open_sender_rejects_the_send(sb: Emulator) -> None:
    with (
        ServiceBusClient.from_connection_string(sb.connection_string, retry_total=0) as client,
        client.get_queue_sender("q") as sender,
    ):
        sender.send_messages(ServiceBusMessage("warm"))
        _fault(sb, "server-busy", {"for_seconds": 2})
        with pytest.raises(ServiceBusServerBusyError):
            sender.send_messages(ServiceBusMessage("during"))
    assert sb.counts("q")["active"] == 1


def test_a_bad_server_busy_request_is_refused(sb: Emulator) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        _fault(sb, "server-busy", {"seconds": 2})
    assert caught.value.code == 400
    assert "for_seconds" in json.loads(caught.value.read())["error"]


def test_fault_routes_live_on_the_control_port(sb: Emulator) -> None:
    view = sb.control("/faults")
    assert set(view) == {"connections", "busy_seconds_left", "injected"}
    assert view["busy_seconds_left"] == 0
