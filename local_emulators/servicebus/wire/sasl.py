"""SASL negotiation: ANONYMOUS (Python SDK), MSSBCBS (.NET SDK) and PLAIN; credentials come later via CBS."""

from __future__ import annotations

import asyncio

from local_emulators.servicebus.amqp import performatives as p
from local_emulators.servicebus.amqp.frames import HEADER, SASL_HEADER, TYPE_SASL, decode_body, encode_frame
from local_emulators.servicebus.amqp.types import Array, Symbol, UByte
from local_emulators.servicebus.errors import ProtocolError

MECHANISMS = ("MSSBCBS", "ANONYMOUS", "PLAIN")
_OK = UByte(0)


async def negotiate(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> str:
    """Run the SASL exchange after the client's SASL protocol header.

    Every offered mechanism succeeds at once: the broker checks tokens on the CBS node instead.

    Returns:
        The mechanism the client chose.

    Raises:
        ProtocolError: The client sent something other than sasl-init, or an unknown mechanism.
    """
    mechanisms = Array(0xB3, [Symbol(m) for m in MECHANISMS])
    writer.write(SASL_HEADER + encode_frame(0, p.SASL_MECHANISMS, [mechanisms], frame_type=TYPE_SASL))
    size = HEADER.unpack(await reader.readexactly(8))[0]
    code, fields, _ = decode_body(await reader.readexactly(size - 8))
    if code != p.SASL_INIT:
        raise ProtocolError(f"expected sasl-init, got performative 0x{code:02x}")
    mechanism = str(fields[0])
    if mechanism not in MECHANISMS:
        raise ProtocolError(f"unsupported SASL mechanism {mechanism!r}")
    writer.write(encode_frame(0, p.SASL_OUTCOME, [_OK, None], frame_type=TYPE_SASL))
    return mechanism
