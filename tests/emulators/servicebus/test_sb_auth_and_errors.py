"""Authentication through CBS and the error mappings the SDK sees."""

from __future__ import annotations

import time

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage
from azure.servicebus.exceptions import MessagingEntityNotFoundError, ServiceBusAuthenticationError

from local_emulators.servicebus.sas import generate_sas_token
from tests.emulators.servicebus.conftest import KEY, KEY_NAME, Emulator, connection_string

pytestmark = pytest.mark.emulator


def test_wrong_key_is_refused_as_an_authentication_error(sb: Emulator) -> None:
    bad = connection_string(sb.port, key="not-the-key")
    client = ServiceBusClient.from_connection_string(bad, retry_total=0)
    with client, pytest.raises(ServiceBusAuthenticationError), client.get_queue_sender("q") as sender:
        sender.send_messages(ServiceBusMessage("never"))
    assert sb.counts("q")["total"] == 0


def _sas_connection_string(port: int, expiry: float) -> str:
    token = generate_sas_token(f"sb://127.0.0.1:{port}/q", KEY_NAME, KEY, expiry)
    return f"Endpoint=sb://127.0.0.1:{port};SharedAccessSignature={token};UseDevelopmentEmulator=true;"


def test_expired_token_is_refused_and_a_live_one_accepted(sb: Emulator) -> None:
    expired = _sas_connection_string(sb.port, time.time() - 60)
    client = ServiceBusClient.from_connection_string(expired, retry_total=0)
    with client, pytest.raises(ServiceBusAuthenticationError), client.get_queue_sender("q") as sender:
        sender.send_messages(ServiceBusMessage("never"))
    live = _sas_connection_string(sb.port, time.time() + 600)
    with ServiceBusClient.from_connection_string(live, retry_total=0) as client, client.get_queue_sender("q") as s:
        s.send_messages(ServiceBusMessage("ok"))
    assert sb.counts("q")["total"] == 1


def test_unknown_entities_are_not_found_for_senders_and_receivers(conn_str: str) -> None:
    with ServiceBusClient.from_connection_string(conn_str, retry_total=0) as client:
        with pytest.raises(MessagingEntityNotFoundError), client.get_queue_sender("nope") as sender:
            sender.send_messages(ServiceBusMessage("x"))
        with pytest.raises(MessagingEntityNotFoundError), client.get_queue_receiver("nope") as receiver:
            receiver.receive_messages(max_message_count=1, max_wait_time=1)
        with pytest.raises(MessagingEntityNotFoundError), client.get_subscription_receiver("t", "nope") as r:
            r.receive_messages(max_message_count=1, max_wait_time=1)
