"""SASL negotiation: ANONYMOUS (Python SDK), MSSBCBS (.NET SDK) and PLAIN; credentials come later via CBS."""

from __future__ import annotations

import asyncio

from local_emulators.servicebus.amqp import performatives as p
from local_emulators.servicebus.amqp.frames import (
    HEADER,
    MAX_FRAME_SIZE,
    SASL_HEADER,
    TYPE_SASL,
    decode_body,
    encode_frame,
)
from local_emulators.servicebus.amqp.types import Array, Symbol, UByte
from local_emulators.servicebus.errors import DecodeError, ProtocolError

MECHANISMS = ("MSSBCBS", "ANONYMOUS", "PLAIN")
_OK, _AUTH, _SYS_PERM = UByte(0), UByte(1), UByte(3)


class SaslRefusedError(ProtocolError):
    """The SASL exchange failed; the client was sent a sasl-outcome saying so."""


async def negotiate(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> str:
    """Run the SASL exchange after the client's SASL protocol header.

    Every offered mechanism succeeds at once: the broker checks tokens on the CBS node instead.
    SASL frames obey the frame-size limit of AMQP frames, checked before the body is read.

    Returns:
        The mechanism the client chose.

    Raises:
        SaslRefusedError: A malformed or oversized frame, something other than sasl-init, or an
            unknown mechanism (the client got a failing sasl-outcome).
    """
    mechanisms = Array(0xB3, [Symbol(m) for m in MECHANISMS])
    writer.write(SASL_HEADER + encode_frame(0, p.SASL_MECHANISMS, [mechanisms], frame_type=TYPE_SASL))
    size, doff, frame_type, _channel = HEADER.unpack(await reader.readexactly(8))
    if not 8 < size <= MAX_FRAME_SIZE or doff < 2 or doff * 4 > size or frame_type != TYPE_SASL:
        _refuse(writer, _SYS_PERM)
        raise SaslRefusedError(f"invalid SASL frame header: size {size}, doff {doff}, type {frame_type}")
    body = await reader.readexactly(size - 8)
    try:
        code, fields, _ = decode_body(body[doff * 4 - 8 :])
    except DecodeError as exc:
        _refuse(writer, _SYS_PERM)
        raise SaslRefusedError(f"undecodable SASL frame: {exc}") from exc
    if code != p.SASL_INIT:
        _refuse(writer, _SYS_PERM)
        raise SaslRefusedError(f"expected sasl-init, got performative 0x{code:02x}")
    mechanism = fields[0]
    if not isinstance(mechanism, str) or mechanism not in MECHANISMS:
        _refuse(writer, _AUTH)
        raise SaslRefusedError(f"unsupported SASL mechanism {mechanism!r:.80}")
    writer.write(encode_frame(0, p.SASL_OUTCOME, [_OK, None], frame_type=TYPE_SASL))
    return str(mechanism)


def _refuse(writer: asyncio.StreamWriter, code: UByte) -> None:
    writer.write(encode_frame(0, p.SASL_OUTCOME, [code, None], frame_type=TYPE_SASL))
