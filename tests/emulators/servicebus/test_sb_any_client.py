"""What AMQP stacks other than pyamqp send (rhea in JavaScript, uAMQP, .NET), at the protocol level.

Each test plays a client that encodes the protocol differently from the Python SDK, as AMQP 1.0
allows, and checks that the broker answers as Azure does.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusMessageState

from local_emulators.servicebus.amqp import codec
from local_emulators.servicebus.amqp import performatives as p
from local_emulators.servicebus.amqp.frames import HEADER
from local_emulators.servicebus.amqp.types import Described, Int, Symbol, Timestamp, UInt, ULong
from local_emulators.servicebus.sas import generate_sas_token
from tests.emulators.servicebus.conftest import KEY, KEY_NAME, Emulator
from tests.emulators.servicebus.raw_amqp import RawClient, message, sections

pytestmark = pytest.mark.emulator


@pytest.fixture
def raw(sb: Emulator) -> Iterator[RawClient]:
    client = RawClient(sb.port)
    client.connect_dotnet_style()
    yield client
    client.close()


def put_token(raw: RawClient, port: int, entity: str) -> int:
    """Put a SAS token whose audience is ``entity`` (empty: the namespace); return the CBS status."""
    raw.attach("cbs-out", 0, True, "$cbs")
    raw.attach("cbs-in", 1, False, "$cbs")
    raw.flow(1, 10)
    audience = f"sb://127.0.0.1:{port}/{entity}"
    token = generate_sas_token(audience, KEY_NAME, KEY, time.time() + 300)
    application = {"operation": "put-token", "type": "jwt", "name": audience, "expiration": Timestamp(0)}
    raw.transfer(0, 0, message(application, token, message_id=uuid.uuid4(), reply_to="cbs-in"))
    _, _, payload = raw.expect(p.TRANSFER)
    return int(sections(payload)[p.APPLICATION_PROPERTIES][0]["status-code"])


def short_attach(raw: RawClient, name: str, handle: int, client_sends: bool, address: str, **extra: Any) -> None:
    """An attach as rhea encodes it: termini and the performative without their trailing null fields."""
    source: list[Any] = [address if not client_sends else name]
    if "session" in extra:
        source += [None] * 6 + [{Symbol("com.microsoft:session-filter"): extra["session"]}]
    fields = [
        name,
        UInt(handle),
        not client_sends,
        extra.get("snd", 0),
        extra.get("rcv", 0),
        p.described(p.SOURCE, source),
        p.described(p.TARGET, [address if client_sends else name]),
    ]
    if client_sends:
        fields += [None, False, UInt(0)]
    raw.send(p.ATTACH, fields)


def next_frame(raw: RawClient) -> tuple[int, list[Any]]:
    """The next frame other than a flow."""
    while True:
        code, fields, _ = raw.frame()
        if code != p.FLOW:
            return code, fields


def test_termini_without_trailing_fields_attach_and_deliver(raw: RawClient, sb: Emulator) -> None:
    assert put_token(raw, sb.port, "q") == 202
    short_attach(raw, "sender", 2, True, "q")
    _, attach, _ = raw.expect(p.ATTACH)
    assert attach[p.A_TARGET].value[0] == "q"
    raw.transfer(2, 0, message(None, "from rhea", message_id="m-1"))
    raw.expect(p.DISPOSITION)
    short_attach(raw, "receiver", 3, False, "q", snd=0, rcv=1)
    _, attach, _ = raw.expect(p.ATTACH)
    assert attach[p.A_SOURCE].value[0] == "q"
    raw.flow(3, 1)
    _, transfer, payload = raw.expect(p.TRANSFER)
    assert sections(payload)[p.AMQP_VALUE][0] == "from rhea"
    # An outcome and a session filter also come without trailing fields.
    raw.send(p.DISPOSITION, [True, transfer[p.T_DELIVERY_ID], None, False, p.described(p.MODIFIED, [True])])
    _, echo, _ = raw.expect(p.DISPOSITION)
    assert p.outcome_code(echo[p.D_STATE]) == p.MODIFIED
    assert sb.counts("q")["active"] == 1


def test_symbolic_descriptors_are_understood(raw: RawClient, sb: Emulator) -> None:
    assert put_token(raw, sb.port, "q") == 202
    source = Described(Symbol("amqp:source:list"), ["q"])
    target = Described(Symbol("amqp:target:list"), ["receiver"])
    body = bytearray(b"\x00")
    codec.encode_into(body, Symbol("amqp:attach:list"))
    codec.encode_into(body, ["receiver", UInt(2), True, 0, 1, source, target])
    raw.sock.sendall(HEADER.pack(8 + len(body), 2, 0, 0) + bytes(body))
    _, attach, _ = raw.expect(p.ATTACH)
    assert attach[p.A_SOURCE].value[0] == "q"


@pytest.mark.parametrize("properties", [None, [None, None, None, "to"]], ids=["no-properties", "null-message-id"])
def test_a_message_without_a_message_id_gets_one_from_the_broker(
    raw: RawClient, sb: Emulator, properties: list[Any] | None
) -> None:
    assert put_token(raw, sb.port, "q") == 202
    raw.attach("sender", 2, True, "/q")
    sent = bytearray()
    if properties is not None:
        codec.encode_into(sent, p.described(p.PROPERTIES, properties))
    codec.encode_into(sent, p.described(p.AMQP_VALUE, "anonymous"))
    raw.transfer(2, 0, bytes(sent))
    raw.expect(p.DISPOSITION)
    raw.attach("receiver", 3, False, "/q", snd=1, rcv=0)
    raw.flow(3, 1)
    _, _, payload = raw.expect(p.TRANSFER)
    got = sections(payload)
    assert re.fullmatch(r"[0-9a-f]{32}", got[p.PROPERTIES][0][0])
    assert got[p.AMQP_VALUE][0] == "anonymous"
    if properties is not None:
        assert got[p.PROPERTIES][0][3] == "to"  # the other properties are kept


def test_the_management_node_accepts_a_token_for_its_own_address(raw: RawClient, sb: Emulator) -> None:
    assert put_token(raw, sb.port, "q/$management") == 202  # what the JS SDK puts for its management link
    raw.attach("mgmt-out", 2, True, "q/$management")
    raw.attach("mgmt-in", 3, False, "q/$management")
    raw.flow(3, 10)
    application = {"operation": "com.microsoft:peek-message"}
    body = {"from-sequence-number": 1, "message-count": Int(1)}
    raw.transfer(2, 1, message(application, body, message_id=uuid.uuid4(), reply_to="mgmt-in"))
    _, _, payload = raw.expect(p.TRANSFER)
    assert sections(payload)[p.APPLICATION_PROPERTIES][0]["statusCode"] == 204  # empty, not 401


def test_a_refused_attach_is_not_detached_twice_and_the_connection_stays_usable(raw: RawClient, sb: Emulator) -> None:
    assert put_token(raw, sb.port, "") == 202  # a namespace-wide token
    raw.attach("missing", 2, False, "/no-such-queue")
    code, detach = next_frame(raw)
    assert code == p.DETACH
    assert detach[2].value[0] == "amqp:not-found"
    raw.send(p.DETACH, [UInt(2), True, None])  # the client's closing detach
    raw.attach("first-owner", 3, False, "/q-sessions", session="s-1")
    raw.attach("second-owner", 4, False, "/q-sessions", session="s-1")  # already locked
    code, detach = next_frame(raw)
    assert code == p.DETACH
    assert detach[2].value[0] == "com.microsoft:session-cannot-be-locked"
    raw.send(p.DETACH, [UInt(4), True, None])
    # The next frame answers the next request: no second detach for either refused link.
    short_attach(raw, "sender", 2, True, "q")
    code, fields = next_frame(raw)
    assert (code, fields[p.A_NAME]) == (p.ATTACH, "sender")
    raw.transfer(2, 0, message(None, "still works", message_id="m-2"))
    code, fields = next_frame(raw)
    assert code == p.DISPOSITION
    assert p.outcome_code(fields[p.D_STATE]) == p.ACCEPTED


def test_deferred_messages_received_by_sequence_number_carry_the_deferred_state(sb: Emulator) -> None:
    with ServiceBusClient.from_connection_string(sb.connection_string) as client:
        with client.get_queue_sender("q") as sender:
            sender.send_messages(ServiceBusMessage("later"))
        with client.get_queue_receiver("q", max_wait_time=3) as receiver:
            (message_,) = receiver.receive_messages(max_message_count=1, max_wait_time=3)
            assert message_.state == ServiceBusMessageState.ACTIVE
            receiver.defer_message(message_)
            assert message_.sequence_number is not None
            (deferred,) = receiver.receive_deferred_messages([message_.sequence_number])
            assert deferred.state == ServiceBusMessageState.DEFERRED
            assert deferred.dead_letter_source is None
            receiver.complete_message(deferred)
    assert sb.counts("q")["total"] == 0


def test_a_descriptor_code_is_kept_as_sent_on_delivery(raw: RawClient, sb: Emulator) -> None:
    # A ulong descriptor written in 8 bytes (0x80) by a client must still reach receivers intact.
    assert put_token(raw, sb.port, "q") == 202
    raw.attach("sender", 2, True, "/q")
    body = b"\x00\x80" + ULong(p.AMQP_VALUE).to_bytes(8, "big") + codec.encode("wide")
    raw.transfer(2, 0, codec.encode(p.described(p.PROPERTIES, ["m-3"])) + body)
    raw.expect(p.DISPOSITION)
    raw.attach("receiver", 3, False, "/q", snd=1, rcv=0)
    raw.flow(3, 1)
    _, _, payload = raw.expect(p.TRANSFER)
    assert payload.endswith(body)


def test_a_management_request_split_over_frames_is_answered(raw: RawClient, sb: Emulator) -> None:
    # A client with a small max frame size splits a schedule request carrying whole messages.
    assert put_token(raw, sb.port, "q") == 202
    raw.attach("mgmt-out", 2, True, "q/$management")
    raw.attach("mgmt-in", 3, False, "q/$management")
    raw.flow(3, 10)
    scheduled = message(None, "x" * 3000, message_id="sched-1")
    body = {"messages": [{"message-id": "sched-1", "message": scheduled}]}
    application = {"operation": "com.microsoft:schedule-message"}
    request = message(application, body, message_id=uuid.uuid4(), reply_to="mgmt-in")
    third = len(request) // 3
    for index, start in enumerate(range(0, len(request), third)):
        more = start + third < len(request)
        head = [UInt(2), UInt(7), b"req", UInt(0), False] if index == 0 else [UInt(2), None, None, None, None]
        raw.send(p.TRANSFER, [*head, more, None, None, None, None, None], request[start : start + third])
    _, _, payload = raw.expect(p.TRANSFER)
    response = sections(payload)
    assert response[p.APPLICATION_PROPERTIES][0]["statusCode"] == 200
    assert list(response[p.AMQP_VALUE][0]["sequence-numbers"]) == [1]
    assert sb.counts("q")["total"] == 1  # no enqueue time in the message: it is enqueued at once


def test_an_accept_timeout_refusal_is_not_detached_twice(raw: RawClient, sb: Emulator) -> None:
    assert put_token(raw, sb.port, "q-sessions") == 202
    timeout = {Symbol("com.microsoft:timeout"): UInt(200)}
    raw.attach("next-available", 2, False, "/q-sessions", session=None, properties=timeout)  # no session has messages
    code, detach = next_frame(raw)
    assert code == p.DETACH
    assert detach[2].value[0] == "com.microsoft:timeout"
    raw.send(p.DETACH, [UInt(2), True, None])
    short_attach(raw, "sender", 3, True, "q-sessions")
    code, fields = next_frame(raw)
    assert (code, fields[p.A_NAME]) == (p.ATTACH, "sender")
