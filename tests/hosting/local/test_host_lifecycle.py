"""SIGTERM: in-flight invocations finish within the grace period, or are abandoned after it; never lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusSubQueue

from tests.hosting.local.conftest import start_host, stop_gracefully
from tests.support.processes import ServerProcess

pytestmark = pytest.mark.emulator


def _send_slow(connection_string: str, seconds: str, message_id: str) -> None:
    with ServiceBusClient.from_connection_string(connection_string) as client, client.get_queue_sender("toy-slow") as s:
        s.send_messages(ServiceBusMessage(seconds, message_id=message_id))


def _peek(connection_string: str, sub_queue: ServiceBusSubQueue | None = None) -> list[tuple[str, int | None]]:
    with (
        ServiceBusClient.from_connection_string(connection_string) as client,
        client.get_queue_receiver("toy-slow", sub_queue=sub_queue) as receiver,
    ):
        return [(str(m.message_id), m.delivery_count) for m in receiver.peek_messages(max_message_count=10)]


def test_sigterm_lets_the_in_flight_invocation_finish_and_exits_0(emulator: ServerProcess, tmp_path: Path) -> None:
    host = start_host(tmp_path, emulator.port, name="finish")
    _send_slow(host.connection_string, "3", "finish-1")
    host.wait_records(1, fn="slow", event="start", message_id="finish-1")
    assert stop_gracefully(host.process) == 0
    assert len(host.records(fn="slow", event="end", message_id="finish-1")) == 1
    assert _peek(host.connection_string) == []  # completed, not left behind
    assert _peek(host.connection_string, ServiceBusSubQueue.DEAD_LETTER) == []
    assert "waiting up to" in host.process.log()


def test_after_the_grace_period_the_invocation_is_abandoned_not_lost(emulator: ServerProcess, tmp_path: Path) -> None:
    host = start_host(tmp_path, emulator.port, name="abandon", extra_args=("--grace-seconds", "0.5"))
    _send_slow(host.connection_string, "30", "abandon-1")
    host.wait_records(1, fn="slow", event="start", message_id="abandon-1")
    assert stop_gracefully(host.process) == 0
    assert host.records(fn="slow", event="end") == []
    # Abandoned: back in the queue at once (no lock to wait out), its delivery counted.
    assert _peek(host.connection_string) == [("abandon-1", 1)]
    assert "outcome=abandoned" in host.process.log()


def test_sigterm_runs_the_apps_shutdown_hooks_and_logs_no_pending_task_or_open_session(
    emulator: ServerProcess, tmp_path: Path
) -> None:
    host = start_host(tmp_path, emulator.port, name="hooks")
    _send_slow(host.connection_string, "0", "keep-1")
    host.wait_records(1, fn="slow", event="end", message_id="keep-1")
    assert stop_gracefully(host.process) == 0
    assert host.records(fn="shutdown") == [{"fn": "shutdown", "closed": 1}]
    log = host.process.log()
    assert "waiting up to" in log
    for leak in ("Task was destroyed but it is pending", "Unclosed client session", "Unclosed connector"):
        assert leak not in log
