"""The fault helpers of `tests/support/faults.py` reach each emulator of a running stack and clear what they set."""

from __future__ import annotations

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage
from azure.servicebus.exceptions import ServiceBusServerBusyError

from tests.support.faults import clear_faults, cosmos_faults, fault_views, model_faults, servicebus_fault
from tests.support.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]


def test_each_helper_sets_and_clear_faults_ends_every_fault(crash_app_stack: Stack) -> None:
    stack = crash_app_stack
    stack.start_servicebus()
    stack.start_cosmos()
    stack.start_model()
    assert model_faults(stack, status=429, retry_after=2, for_seconds=30)["active"] is True
    assert cosmos_faults(stack, status=429, count=5, retry_after_ms=200)["active"] is True
    assert servicebus_fault(stack, "server-busy", for_seconds=30)["busy_seconds_left"] > 20
    with (
        ServiceBusClient.from_connection_string(stack.sb_connection, retry_total=0) as client,
        pytest.raises(ServiceBusServerBusyError),
        client.get_queue_sender("tasks") as sender,
    ):
        sender.send_messages(ServiceBusMessage("x"))
    assert servicebus_fault(stack, "expire-locks") == {"locks": 0, "sessions": 0}
    assert servicebus_fault(stack, "drop-connections")["dropped"] >= 0
    clear_faults(stack)
    views = fault_views(stack)
    assert views["model"]["active"] is False
    assert views["cosmos"]["active"] is False
    assert views["servicebus"]["busy_seconds_left"] == 0
    with (
        ServiceBusClient.from_connection_string(stack.sb_connection, retry_total=0) as client,
        client.get_queue_sender("tasks") as sender,
    ):
        sender.send_messages(ServiceBusMessage("x"))
