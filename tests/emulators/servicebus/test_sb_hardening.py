"""Hostile bytes on the AMQP port: each is answered with an AMQP error and costs what the input holds.

Each test sends the raw bytes an attacker (or a broken client) would, then checks the broker's
answer and that it still serves a well-behaved client afterwards.
"""

from __future__ import annotations

import socket
import struct
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from local_emulators.servicebus.amqp import performatives as p
from local_emulators.servicebus.amqp.frames import AMQP_HEADER, HEADER, SASL_HEADER, TYPE_SASL, decode_body
from local_emulators.servicebus.amqp.types import Symbol, Timestamp, UInt
from local_emulators.servicebus.sas import generate_sas_token
from tests.emulators.servicebus.conftest import KEY, KEY_NAME, Emulator
from tests.emulators.servicebus.raw_amqp import RawClient, message, sections

pytestmark = pytest.mark.emulator

U32_MAX = 0xFFFFFFFF


@pytest.fixture
def raw(sb: Emulator) -> Iterator[RawClient]:
    client = RawClient(sb.port)
    yield client
    client.close()


def put_token(raw: RawClient, port: int, entity: str, handles: tuple[int, int] = (0, 1)) -> int:
    """Put a SAS token for ``entity`` on the connection; return the CBS status code."""
    out, into = handles
    raw.attach("cbs-out", out, True, "$cbs")
    raw.attach("cbs-in", into, False, "$cbs")
    raw.flow(into, 10)
    audience = f"sb://127.0.0.1:{port}/{entity}"
    token = generate_sas_token(audience, KEY_NAME, KEY, time.time() + 300)
    application = {"operation": "put-token", "type": "jwt", "name": audience, "expiration": Timestamp(0)}
    raw.transfer(out, 0, message(application, token, message_id=uuid.uuid4(), reply_to="cbs-in"))
    _, _, payload = raw.expect(p.TRANSFER)
    status = decode_sections(payload)[p.APPLICATION_PROPERTIES]["status-code"]
    return int(status)


def decode_sections(payload: bytes) -> dict[int, Any]:
    return {code: value for code, (value, _raw) in sections(payload).items()}


def closed_with(raw: RawClient) -> str:
    """Read until the broker's close; return its error condition (and check the socket then closes)."""
    _, fields, _ = raw.expect(p.CLOSE)
    error = fields[0]
    assert error is not None, "a close after an error carries the error"
    with pytest.raises((ConnectionError, OSError)):
        drain(raw)
    return str(error.value[0])


def drain(raw: RawClient) -> None:
    """Read frames until the broker closes the socket (raises then)."""
    for _ in range(100):
        raw.frame()


def opened(port: int) -> RawClient:
    client = RawClient(port)
    client.connect_dotnet_style()
    return client


def still_serves(sb: Emulator) -> None:
    """A fresh well-behaved client still gets a CBS answer: the broker survived."""
    client = opened(sb.port)
    try:
        assert put_token(client, sb.port, "q") == 202
    finally:
        client.close()


def frame(body: bytes, channel: int = 0, frame_type: int = 0) -> bytes:
    return HEADER.pack(8 + len(body), 2, frame_type, channel) + body


def log_lines(sb: Emulator, raw: RawClient, text: str) -> list[str]:
    """The emulator's log lines about this client's connection that contain ``text`` (waits for the write)."""
    peer = f"127.0.0.1:{raw.sock.getsockname()[1]}"
    for _ in range(100):
        lines = [line for line in sb.process.log().splitlines() if peer in line and text in line]
        if lines:
            return lines
        time.sleep(0.05)
    return []


# ---------------------------------------------------------------- issue 12 point 1


def test_a_disposition_over_the_whole_delivery_id_range_settles_what_exists(raw: RawClient, sb: Emulator) -> None:
    raw.connect_dotnet_style()
    assert put_token(raw, sb.port, "q") == 202
    raw.attach("sender", 2, True, "/q")
    raw.transfer(2, 1, message(None, "settle me"))
    raw.expect(p.DISPOSITION)
    raw.attach("receiver", 3, False, "/q", snd=0, rcv=1)
    raw.flow(3, 1)
    raw.expect(p.TRANSFER)
    # 0..2^32-1 is a legal range; walking it would take the broker hours.
    raw.send(p.DISPOSITION, [True, UInt(0), UInt(U32_MAX), False, p.described(p.ACCEPTED, []), None])
    _, echo, _ = raw.expect(p.DISPOSITION)
    assert p.outcome_code(echo[p.D_STATE]) == p.ACCEPTED
    assert sb.counts("q")["total"] == 0
    raw.send(p.DISPOSITION, [True, UInt(0), UInt(U32_MAX), True, p.described(p.ACCEPTED, []), None])
    assert put_token(raw, sb.port, "q", handles=(4, 5)) == 202  # the connection still answers


@pytest.mark.parametrize(
    "body",
    [
        # attach whose field list declares 2^32-1 elements in 4 bytes
        b"\x00\x53\x12\xd0\x00\x00\x00\x04\xff\xff\xff\xff",
        # an array of 2^32-1 nulls: zero bytes per element on the wire
        b"\x00\x53\x12\xc0\x0b\x01\xf0\x00\x00\x00\x05\xff\xff\xff\xff\x40",
        # a map declaring more pairs than its bytes hold
        b"\x00\x53\x12\xc0\x0c\x01\xd1\x00\x00\x00\x06\x00\x10\x00\x00\xa1\x00",
    ],
    ids=["list-count", "array-of-nulls", "map-count"],
)
def test_a_count_beyond_the_bytes_present_is_a_decode_error(raw: RawClient, sb: Emulator, body: bytes) -> None:
    raw.connect_dotnet_style()
    raw.sock.sendall(frame(body))
    assert closed_with(raw) == "amqp:decode-error"
    still_serves(sb)


def test_deep_nesting_is_a_decode_error_not_a_recursion_error(raw: RawClient, sb: Emulator) -> None:
    raw.connect_dotnet_style()
    depth = 20_000
    nested = b"\x45"  # the empty list at the bottom
    for _ in range(depth):
        nested = b"\xd0" + struct.pack(">II", len(nested) + 4, 1) + nested
    raw.sock.sendall(frame(b"\x00\x53\x10" + nested))
    assert closed_with(raw) == "amqp:decode-error"
    assert "RecursionError" not in sb.process.log()
    still_serves(sb)


def test_an_oversized_sasl_frame_is_refused_without_reading_it(sb: Emulator) -> None:
    sock = socket.create_connection(("127.0.0.1", sb.port), timeout=5)
    try:
        sock.sendall(SASL_HEADER)
        received = b""
        while len(received) < 8 + 8:
            received += sock.recv(4096)
        size = HEADER.unpack_from(received, 8)[0]
        while len(received) < 8 + size:
            received += sock.recv(4096)
        received = received[8 + size :]
        # A frame header announcing 4 GiB, and nothing after it: the broker must not wait for the rest.
        sock.sendall(HEADER.pack(U32_MAX, 2, TYPE_SASL, 0))
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk
    finally:
        sock.close()
    code, fields, _ = decode_body(received[8 : HEADER.unpack_from(received)[0]])
    assert code == p.SASL_OUTCOME
    assert fields[0] != 0  # not ok
    still_serves(sb)


@pytest.mark.parametrize(
    ("code", "fields"),
    [
        (p.DISPOSITION, [True, "first", None, False, None, None]),
        (p.FLOW, [UInt(0), UInt(10), UInt(0), UInt(10), UInt(2), UInt(0), "lots", None, False, False, None]),
    ],
    ids=["disposition-first", "flow-credit"],
)
def test_a_field_of_the_wrong_type_closes_the_connection_with_invalid_field_and_one_log_line(
    raw: RawClient, sb: Emulator, code: int, fields: list[Any]
) -> None:
    raw.connect_dotnet_style()
    assert put_token(raw, sb.port, "q") == 202
    raw.attach("receiver", 2, False, "/q", snd=0, rcv=1)
    raw.send(code, fields)
    assert closed_with(raw) == "amqp:invalid-field"
    lines = log_lines(sb, raw, "closing with")
    assert len(lines) == 1
    assert "amqp:invalid-field" in lines[0]
    still_serves(sb)


def test_a_frame_before_open_and_a_bad_frame_header_get_a_close(sb: Emulator) -> None:
    early = RawClient(sb.port)
    try:
        assert early.header(AMQP_HEADER) == AMQP_HEADER
        early.send(p.BEGIN, [None, UInt(0), UInt(10), UInt(10), None, None, None, None])
        assert closed_with(early) == "amqp:not-allowed"
    finally:
        early.close()
    bad = opened(sb.port)
    try:
        bad.sock.sendall(HEADER.pack(64, 1, 0, 0) + b"\x00" * 56)  # data offset 1 points into the header
        assert closed_with(bad) == "amqp:connection:framing-error"
    finally:
        bad.close()
    still_serves(sb)


@pytest.mark.parametrize("handle", [None, "not-a-handle", -1])
def test_an_unauthenticated_attach_with_a_bad_handle_gets_the_authorization_error(
    raw: RawClient, sb: Emulator, handle: Any
) -> None:
    raw.connect_dotnet_style()
    source = p.described(p.SOURCE, ["sender-link"])
    target = p.described(p.TARGET, ["/q"])
    raw.send(p.ATTACH, ["sender", handle, False, 0, 1, source, target, None, False, UInt(0)])
    _, attach, _ = raw.expect(p.ATTACH)
    assert attach[p.A_TARGET] is None
    _, detach, _ = raw.expect(p.DETACH)
    assert detach[2].value[0] == Symbol("amqp:unauthorized-access")
    still_serves(sb)
