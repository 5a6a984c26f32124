"""HTTP/1.1 over one accepted stream (plain or TLS): keep-alive requests answered by the management API.

Parsing is h11's (strict, bounded header size); bodies are capped before they are read whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl

import h11

from local_emulators.servicebus.management.errors import PayloadTooLargeError
from local_emulators.servicebus.management.routes import ApiRequest, ApiResponse, ManagementApi, parse_target

MAX_BODY = 1 << 20
IDLE_SECONDS = 120.0
_CHUNK = 65536
_REASONS = {
    200: b"OK",
    201: b"Created",
    400: b"Bad Request",
    401: b"Unauthorized",
    404: b"Not Found",
    405: b"Method Not Allowed",
    409: b"Conflict",
    413: b"Request Entity Too Large",
    500: b"Internal Server Error",
}
log = logging.getLogger("local_emulators.servicebus")


async def _next_event(conn: h11.Connection, reader: asyncio.StreamReader) -> object:
    while True:
        event = conn.next_event()
        if event is not h11.NEED_DATA:
            return event
        data = await asyncio.wait_for(reader.read(_CHUNK), IDLE_SECONDS)
        conn.receive_data(data)


async def _read_request(conn: h11.Connection, reader: asyncio.StreamReader) -> ApiRequest | None:
    event = await _next_event(conn, reader)
    if not isinstance(event, h11.Request):
        return None
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in event.headers}
    declared = headers.get("content-length", "0")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise PayloadTooLargeError(f"the request body exceeds {MAX_BODY} bytes")
    body = bytearray()
    while True:
        part = await _next_event(conn, reader)
        if isinstance(part, h11.Data):
            body += part.data
            if len(body) > MAX_BODY:
                raise PayloadTooLargeError(f"the request body exceeds {MAX_BODY} bytes")
        elif isinstance(part, h11.EndOfMessage):
            break
        else:
            return None
    path, query = parse_target(event.target.decode("latin-1"))
    return ApiRequest(event.method.decode("ascii").upper(), path, query, headers, bytes(body))


def _encode(conn: h11.Connection, response: ApiResponse) -> bytes:
    headers = [
        (b"Content-Type", response.content_type.encode()),
        (b"Content-Length", str(len(response.body)).encode()),
        (b"Server", b"Microsoft-HTTPAPI/2.0"),
    ]
    reason = _REASONS.get(response.status, b"Error")
    out = conn.send(h11.Response(status_code=response.status, headers=headers, reason=reason)) or b""
    out += conn.send(h11.Data(data=response.body)) or b""
    return out + (conn.send(h11.EndOfMessage()) or b"")


async def serve_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, api: ManagementApi) -> None:
    """Answer requests on one connection until the client closes it, goes idle or breaks the protocol."""
    conn = h11.Connection(h11.SERVER)
    try:
        while True:
            try:
                request = await _read_request(conn, reader)
            except PayloadTooLargeError:
                response = ApiResponse(
                    413,
                    "application/xml; charset=utf-8",
                    b"<Error><Code>413</Code><Detail>The request body is too large.</Detail></Error>",
                )
                writer.write(_encode(conn, response))
                await writer.drain()
                break
            if request is None:
                break
            try:
                response = api.handle(request)
            except Exception:  # one broken request must not take the port down
                log.exception("management request %s %s failed", request.method, request.path)
                response = ApiResponse(500, "application/xml; charset=utf-8", b"<Error><Code>500</Code></Error>")
            writer.write(_encode(conn, response))
            await writer.drain()
            if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                break
            conn.start_next_cycle()
    except h11.RemoteProtocolError as error:
        with contextlib.suppress(h11.LocalProtocolError, ConnectionError):
            writer.write(_encode(conn, ApiResponse(error.error_status_hint, "text/plain", str(error).encode())))
            await writer.drain()
    except (TimeoutError, ConnectionError, ssl.SSLError, h11.LocalProtocolError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()
