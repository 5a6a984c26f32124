"""A minimal blocking AMQP 1.0 client built on the emulator's codec, to test what the SDKs don't expose.

It plays the .NET SDK's part (SASL MSSBCBS, path-form addresses, sastoken type) and checks bytes
exactly, e.g. that the bare message is delivered as it was sent.
"""

from __future__ import annotations

import socket
from typing import Any

from local_emulators.servicebus.amqp import codec
from local_emulators.servicebus.amqp import performatives as p
from local_emulators.servicebus.amqp.frames import (
    AMQP_HEADER,
    HEADER,
    SASL_HEADER,
    TYPE_SASL,
    decode_body,
    encode_frame,
)
from local_emulators.servicebus.amqp.types import Described, Symbol, UInt

Frame = tuple[int, list[Any], bytes]


class RawClient:
    """One connection; frames are read synchronously with a timeout."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the emulator")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def header(self, header: bytes) -> bytes:
        self.sock.sendall(header)
        return self._read(8)

    def send(self, code: int, fields: list[Any], payload: bytes = b"", channel: int = 0, sasl: bool = False) -> None:
        self.sock.sendall(encode_frame(channel, code, fields, payload, TYPE_SASL if sasl else 0))

    def frame(self) -> Frame:
        """Read the next non-empty frame: (performative code, fields, payload)."""
        while True:
            size = HEADER.unpack(self._read(8))[0]
            if size > 8:
                body = self._read(size - 8)
                code, fields, at = decode_body(body)
                return code, fields, body[at:]

    def expect(self, code: int) -> Frame:
        """Read frames until one with ``code`` arrives (skipping flows and the like)."""
        for _ in range(50):
            frame = self.frame()
            if frame[0] == code:
                return frame
        raise AssertionError(f"no frame 0x{code:02x}")

    # ---------------------------------------------------------------- conveniences
    def connect_dotnet_style(self) -> None:
        """SASL MSSBCBS, then open and begin channel 0 (what the .NET SDK does)."""
        assert self.header(SASL_HEADER) == SASL_HEADER
        code, fields, _ = self.frame()
        assert code == p.SASL_MECHANISMS
        assert "MSSBCBS" in fields[0]
        self.send(p.SASL_INIT, [Symbol("MSSBCBS"), b"", "localhost"], sasl=True)
        code, fields, _ = self.frame()
        assert (code, fields[0]) == (p.SASL_OUTCOME, 0)
        assert self.header(AMQP_HEADER) == AMQP_HEADER
        self.send(p.OPEN, ["raw", "localhost", UInt(1 << 20), None, None, None, None, None, None, None])
        self.expect(p.OPEN)
        self.send(p.BEGIN, [None, UInt(0), UInt(5000), UInt(5000), UInt(100), None, None, None])
        self.expect(p.BEGIN)

    def attach(self, name: str, handle: int, client_sends: bool, address: str, **extra: Any) -> Frame:
        source = p.described(p.SOURCE, [address if not client_sends else name] + [None] * 10)
        target = p.described(p.TARGET, [address if client_sends else name] + [None] * 6)
        if "session" in extra:
            source.value[p.S_FILTER] = {Symbol("com.microsoft:session-filter"): extra["session"]}
        self.send(
            p.ATTACH,
            [
                name,
                UInt(handle),
                not client_sends,
                extra.get("snd", 0),
                extra.get("rcv", 1),
                source,
                target,
                None,
                False,
                UInt(0) if client_sends else None,
                None,
                None,
                None,
                extra.get("properties"),
            ],
        )
        return self.expect(p.ATTACH)

    def flow(self, handle: int, credit: int, delivery_count: int = 0) -> None:
        self.send(
            p.FLOW,
            [
                UInt(0),
                UInt(5000),
                UInt(0),
                UInt(5000),
                UInt(handle),
                UInt(delivery_count),
                UInt(credit),
                None,
                False,
                False,
                None,
            ],
        )

    def transfer(self, handle: int, delivery_id: int, payload: bytes, settled: bool = False) -> None:
        self.send(
            p.TRANSFER,
            [
                UInt(handle),
                UInt(delivery_id),
                delivery_id.to_bytes(4, "big"),
                UInt(0),
                settled,
                False,
                None,
                None,
                None,
                None,
                None,
            ],
            payload,
        )


def message(
    application: dict[Any, Any] | None = None, body: Any = "body", message_id: Any = None, reply_to: str | None = None
) -> bytes:
    """Encode a message: properties, application properties and an amqp-value body."""
    out = bytearray()
    codec.encode_into(out, p.described(p.PROPERTIES, [message_id, None, None, None, reply_to]))
    if application is not None:
        codec.encode_into(out, p.described(p.APPLICATION_PROPERTIES, application))
    codec.encode_into(out, p.described(p.AMQP_VALUE, body))
    return bytes(out)


def sections(payload: bytes) -> dict[int, tuple[Any, bytes]]:
    """Split an encoded message: section code → (decoded value, raw bytes)."""
    out: dict[int, tuple[Any, bytes]] = {}
    offset = 0
    while offset < len(payload):
        start = offset
        value, offset = codec.decode(payload, offset)
        assert isinstance(value, Described)
        out[int(value.descriptor)] = (value.value, payload[start:offset])
    return out
