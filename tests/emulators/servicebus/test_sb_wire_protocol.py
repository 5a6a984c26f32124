"""Protocol details below the Python SDK: plain AMQP, the .NET SDK's SASL/CBS/path addresses, exact bytes."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from local_emulators.servicebus.amqp import performatives as p
from local_emulators.servicebus.amqp.frames import AMQP_HEADER
from local_emulators.servicebus.amqp.types import (
    Byte,
    Char,
    Float,
    Int,
    Short,
    Symbol,
    Timestamp,
    UByte,
    UInt,
    ULong,
    UShort,
)
from local_emulators.servicebus.sas import generate_sas_token
from tests.emulators.servicebus.conftest import KEY, KEY_NAME, Emulator
from tests.emulators.servicebus.raw_amqp import RawClient, message, sections

pytestmark = pytest.mark.emulator


@pytest.fixture
def raw(sb: Emulator) -> Iterator[RawClient]:
    client = RawClient(sb.port)
    yield client
    client.close()


def _put_token(raw: RawClient, port: int, entity: str, key: str = KEY) -> tuple[int, str]:
    raw.attach("cbs-out", 0, True, "$cbs")
    raw.attach("cbs-in", 1, False, "$cbs")
    raw.flow(1, 10)
    audience = f"sb://127.0.0.1:{port}/{entity}"
    token = generate_sas_token(audience, KEY_NAME, key, time.time() + 300)
    request_id = uuid.uuid4()
    request = message(
        {
            "operation": "put-token",
            "type": "servicebus.windows.net:sastoken",
            "name": audience,
            "expiration": Timestamp(int(time.time() + 300) * 1000),
        },
        token,
        message_id=request_id,
        reply_to="cbs-in",
    )
    raw.transfer(0, 0, request)
    _, fields, payload = raw.expect(p.TRANSFER)
    assert fields[p.T_HANDLE] == 1
    assert fields[p.T_SETTLED] is True
    response = sections(payload)
    assert response[p.PROPERTIES][0][5] == request_id
    status = response[p.APPLICATION_PROPERTIES][0]["status-code"]
    assert isinstance(status, Int)  # .NET casts it to int
    return int(status), response[p.APPLICATION_PROPERTIES][0]["status-description"]


def test_plain_amqp_without_sasl_is_accepted(raw: RawClient) -> None:
    assert raw.header(AMQP_HEADER) == AMQP_HEADER
    raw.send(p.OPEN, ["plain", None, UInt(65536), None, None, None, None, None, None, None])
    code, fields, _ = raw.frame()
    assert code == p.OPEN
    assert fields[2] >= 512


def test_dotnet_style_session_sends_and_receives_with_the_bare_message_untouched(raw: RawClient, sb: Emulator) -> None:
    raw.connect_dotnet_style()
    assert _put_token(raw, sb.port, "q") == (202, "Accepted")
    _, attach, _ = raw.attach("sender", 2, True, "/q")  # .NET uses path-form addresses
    assert attach[p.A_TARGET] is not None
    assert attach[p.A_MAX_MESSAGE_SIZE] == 256 * 1024
    typed = {
        "ubyte": UByte(1),
        "ushort": UShort(2),
        "uint": UInt(3),
        "ulong": ULong(4),
        "byte": Byte(-5),
        "short": Short(-6),
        "int": Int(-7),
        "long": -8,
        "float": Float(1.5),
        "double": 2.25,
        "char": Char("é"),
        "bool": False,
        "ts": Timestamp(1_700_000_000_123),
        "uuid": uuid.uuid4(),
        "bin": b"\x00\xff",
        "sym": Symbol("a-symbol"),
        "str": "a-string",
        "null": None,
    }
    sent = message(typed, {"nested": [1, "two", b"3"]}, message_id="raw-1")
    raw.transfer(2, 1, sent)
    _, disposition, _ = raw.expect(p.DISPOSITION)
    assert disposition[p.D_SETTLED] is True
    assert p.outcome_code(disposition[p.D_STATE]) == p.ACCEPTED

    raw.attach("receiver", 3, False, "/q", snd=0, rcv=1)
    raw.flow(3, 1)
    _, transfer, payload = raw.expect(p.TRANSFER)
    assert len(transfer[p.T_DELIVERY_TAG]) == 16
    assert transfer[p.T_SETTLED] is False
    got = sections(payload)
    assert payload.endswith(sent)  # properties, application properties and body byte for byte
    assert got[p.APPLICATION_PROPERTIES][0] == typed
    assert {k: type(v) for k, v in got[p.APPLICATION_PROPERTIES][0].items()} == {k: type(v) for k, v in typed.items()}
    header = got[p.HEADER][0]
    assert header[4] == 0
    assert isinstance(header[4], UInt)
    annotations = got[p.MESSAGE_ANNOTATIONS][0]
    assert annotations["x-opt-sequence-number"] == 1
    assert type(annotations["x-opt-sequence-number"]) is int
    assert isinstance(annotations["x-opt-locked-until"], Timestamp)
    lock_token = uuid.UUID(bytes_le=transfer[p.T_DELIVERY_TAG])
    assert sb.counts("q")["locked"] == 1

    raw.send(p.DISPOSITION, [True, transfer[p.T_DELIVERY_ID], None, False, p.described(p.ACCEPTED, []), None])
    _, echo, _ = raw.expect(p.DISPOSITION)
    assert echo[p.D_ROLE] is False
    assert echo[p.D_SETTLED] is True
    assert p.outcome_code(echo[p.D_STATE]) == p.ACCEPTED
    assert sb.counts("q")["total"] == 0
    assert lock_token.version == 4


def test_wrong_key_gets_401_and_attach_without_token_is_unauthorized(raw: RawClient, sb: Emulator) -> None:
    raw.connect_dotnet_style()
    status, description = _put_token(raw, sb.port, "q", key="wrong")
    assert status == 401
    assert "wrong" not in description
    _, attach, _ = raw.attach("sender", 2, True, "/q")
    assert attach[p.A_TARGET] is None
    _, detach, _ = raw.expect(p.DETACH)
    assert detach[2].value[0] == "amqp:unauthorized-access"


def test_oversized_single_message_is_rejected_by_the_broker(raw: RawClient, sb: Emulator) -> None:
    raw.connect_dotnet_style()
    _put_token(raw, sb.port, "q")
    raw.attach("sender", 2, True, "/q")
    payload = message(None, b"x" * 300_000)
    half = len(payload) // 2  # two frames, as a client with a small max frame size would send
    raw.send(
        p.TRANSFER,
        [UInt(2), UInt(0), b"\x00\x00\x00\x01", UInt(0), False, True, None, None, None, None, None],
        payload[:half],
    )
    raw.send(p.TRANSFER, [UInt(2), None, None, None, None, False, None, None, None, None, None], payload[half:])
    _, disposition, _ = raw.expect(p.DISPOSITION)
    assert p.outcome_code(disposition[p.D_STATE]) == p.REJECTED
    assert disposition[p.D_STATE].value[0].value[0] == "amqp:link:message-size-exceeded"
    assert sb.counts("q")["total"] == 0


def test_session_attach_carries_the_session_id_and_lock_expiry_in_ticks(raw: RawClient, sb: Emulator) -> None:
    raw.connect_dotnet_style()
    _put_token(raw, sb.port, "q-sessions")
    before_ticks = 621355968000000000 + int(time.time() * 1000) * 10_000
    _, attach, _ = raw.attach("session-receiver", 2, False, "/q-sessions", session="s-42")
    assert attach[p.A_SOURCE].value[p.S_FILTER][Symbol("com.microsoft:session-filter")] == "s-42"
    locked_until = attach[p.A_PROPERTIES][Symbol("com.microsoft:locked-until-utc")]
    assert before_ticks + 25 * 10**7 < locked_until < before_ticks + 35 * 10**7  # LockDuration PT30S
