"""Durability: what a send acknowledged survives kill -9; locks held at the crash expire after restart."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceivedMessage, ServiceBusReceiveMode

from tests.emulators.servicebus.conftest import launch

pytestmark = pytest.mark.emulator


def test_acknowledged_messages_survive_kill_9_and_locks_expire_after_restart(tmp_path: Path) -> None:
    first = launch(tmp_path)
    try:
        with ServiceBusClient.from_connection_string(first.connection_string) as client:
            with client.get_queue_sender("q") as sender:
                sender.send_messages([ServiceBusMessage(f"m{i}", application_properties={"i": i}) for i in range(50)])
                sender.schedule_messages(ServiceBusMessage("later"), datetime.now(UTC) + timedelta(hours=1))
            with client.get_queue_sender("q-short-lock") as sender:
                sender.send_messages(ServiceBusMessage("held"))
            with client.get_queue_sender("q-sessions") as sender:
                sender.send_messages(ServiceBusMessage("s", session_id="sess"))
            with client.get_queue_receiver("q-sessions", session_id="sess") as receiver:
                receiver.session.set_state(b"state-1")
            receiver_ = client.get_queue_receiver("q-short-lock", max_wait_time=3)
            with receiver_:
                (held,) = receiver_.receive_messages(max_message_count=1, max_wait_time=3)
                assert held.delivery_count == 0
                first.process.kill_hard()  # crash while the lock is held
    finally:
        first.process.stop()

    second = launch(tmp_path, data_dir=first.data_dir)
    try:
        assert second.counts("q")["total"] == 51
        assert second.counts("q")["scheduled"] == 1
        assert second.counts("q-short-lock")["locked"] == 1
        time.sleep(1.2)  # the 1 s lock taken before the crash lapses
        counts = second.counts("q-short-lock")
        assert (counts["locked"], counts["active"]) == (0, 1)
        with ServiceBusClient.from_connection_string(second.connection_string) as client:
            with client.get_queue_receiver("q", receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as receiver:
                got: list[ServiceBusReceivedMessage] = []
                while len(got) < 50:
                    batch = receiver.receive_messages(max_message_count=50, max_wait_time=3)
                    assert batch
                    got += batch
            with client.get_queue_receiver("q-short-lock", max_wait_time=3) as receiver:
                (again,) = receiver.receive_messages(max_message_count=1, max_wait_time=3)
                receiver.complete_message(again)
            with client.get_queue_receiver("q-sessions", session_id="sess") as receiver:
                state = receiver.session.get_state()
            with client.get_queue_sender("q") as sender:
                sender.send_messages(ServiceBusMessage("after"))
            with client.get_queue_receiver("q", receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as receiver:
                (after,) = receiver.receive_messages(max_message_count=1, max_wait_time=3)
    finally:
        second.process.stop()
    assert [str(m) for m in got] == [f"m{i}" for i in range(50)]
    assert [(m.application_properties or {})[b"i"] for m in got] == list(range(50))
    assert (str(again), again.delivery_count) == ("held", 1)
    assert state == b"state-1"
    assert after.sequence_number == 52  # numbering continues after the restart (51 used before)
