"""Sessions through the SDK: named and next-available accept, FIFO, exclusivity, state, lock renewal and loss."""

from __future__ import annotations

import time

import pytest
from azure.servicebus import NEXT_AVAILABLE_SESSION, ServiceBusClient, ServiceBusMessage
from azure.servicebus.exceptions import (
    OperationTimeoutError,
    ServiceBusError,
    SessionCannotBeLockedError,
    SessionLockLostError,
)

pytestmark = pytest.mark.emulator


def test_named_session_receives_only_its_messages_in_order(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_queue_sender("q-sessions") as sender:
            sender.send_messages(
                [ServiceBusMessage(f"{sid}-{i}", session_id=sid) for i in range(5) for sid in ("run-a", "run-b")]
            )
        with client.get_queue_receiver("q-sessions", session_id="run-b", max_wait_time=2) as receiver:
            assert receiver.session.session_id == "run-b"
            assert receiver.session.locked_until_utc is not None
            got: list[str] = []
            while len(got) < 5:
                batch = receiver.receive_messages(max_message_count=5, max_wait_time=3)
                assert batch
                for message in batch:
                    got.append(str(message))
                    receiver.complete_message(message)
    assert got == [f"run-b-{i}" for i in range(5)]


def test_next_available_session_and_exclusive_lock(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        with client.get_queue_sender("q-sessions") as sender:
            sender.send_messages(ServiceBusMessage("x", session_id="only"))
        with client.get_queue_receiver("q-sessions", session_id=NEXT_AVAILABLE_SESSION, max_wait_time=5) as first:
            assert first.session.session_id == "only"
            second = client.get_queue_receiver("q-sessions", session_id="only", max_wait_time=2)
            with pytest.raises(SessionCannotBeLockedError), second:
                second.receive_messages(max_message_count=1, max_wait_time=1)
            (message,) = first.receive_messages(max_message_count=1, max_wait_time=3)
            first.complete_message(message)
        # released on close: another receiver may take it now
        with client.get_queue_receiver("q-sessions", session_id="only", max_wait_time=1) as again:
            assert again.session.session_id == "only"


def test_no_available_session_times_out(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        started = time.monotonic()
        receiver = client.get_queue_receiver("q-sessions", session_id=NEXT_AVAILABLE_SESSION, max_wait_time=1)
        with pytest.raises(OperationTimeoutError), receiver:
            receiver.receive_messages(max_message_count=1, max_wait_time=1)
        assert time.monotonic() - started < 10


def test_session_state_and_lock_renewal(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_queue_sender("q-sessions") as sender:
            sender.send_messages(ServiceBusMessage("s", session_id="stateful"))
        with client.get_queue_receiver("q-sessions", session_id="stateful", max_wait_time=2) as receiver:
            session = receiver.session
            assert session.get_state() is None
            session.set_state(b"checkpoint-1")
            assert session.get_state() == b"checkpoint-1"
            before = session.locked_until_utc
            time.sleep(0.05)
            after = session.renew_lock()
            assert before is not None
            assert after > before
        with client.get_queue_receiver("q-sessions", session_id="stateful", max_wait_time=2) as receiver:
            assert receiver.session.get_state() == b"checkpoint-1"


def test_session_lock_expiry_is_reported_as_session_lock_lost(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        with client.get_queue_sender("q-sessions-short") as sender:
            sender.send_messages(ServiceBusMessage("m", session_id="brief"))
        with client.get_queue_receiver("q-sessions-short", session_id="brief", max_wait_time=2) as receiver:
            (message,) = receiver.receive_messages(max_message_count=1, max_wait_time=3)
            time.sleep(1.3)
            with pytest.raises(SessionLockLostError):
                receiver.session.renew_lock()
            with pytest.raises((SessionLockLostError, ServiceBusError)):
                receiver.complete_message(message)


def test_plain_receiver_on_a_session_queue_is_refused(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        with pytest.raises(ServiceBusError), client.get_queue_receiver("q-sessions", max_wait_time=1) as receiver:
            receiver.receive_messages(max_message_count=1, max_wait_time=1)
        with pytest.raises(ServiceBusError), client.get_queue_sender("q-sessions") as sender:
            sender.send_messages(ServiceBusMessage("no session id"))
