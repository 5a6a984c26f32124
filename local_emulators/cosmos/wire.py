"""HTTP/1.1 message parsing and formatting over asyncio streams (just what the Cosmos SDKs send)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from local_emulators.cosmos.request_json import parse_json

MAX_HEADER_BYTES = 64 * 1024
# The service's request size limit (documents, batches and queries alike): larger bodies get 413.
MAX_BODY_BYTES = 2 * 1024 * 1024
_REASONS = {status.value: status.phrase for status in HTTPStatus}


class ProtocolError(Exception):
    """The peer sent something that is not HTTP/1.1 we can answer; the connection is closed."""


class RefusedRequestError(ProtocolError):
    """A request head we can answer with an error before (or instead of) reading its body.

    The server sends `status` with Azure's error body and closes the connection, discarding the body.
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class Request:
    """One parsed HTTP request. Header names are lower-cased."""

    method: str
    raw_path: str
    query: str
    headers: dict[str, str]
    body: bytes
    scheme: str = "http"

    @property
    def path(self) -> str:
        """The percent-decoded path."""
        return unquote(self.raw_path)

    @property
    def keep_alive(self) -> bool:
        """Whether the client wants the connection kept open."""
        return self.headers.get("connection", "").lower() != "close"

    def json(self) -> Any:
        """The body parsed as JSON (None when empty); 400 for anything the service would refuse."""
        return parse_json(self.body) if self.body else None


@dataclass
class Response:
    """An HTTP response to serialise."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    """A response whose body is `payload` as compact JSON."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(status=status, body=body, headers={"content-type": "application/json", **(headers or {})})


async def read_request(reader: asyncio.StreamReader, scheme: str) -> Request | None:
    """Read one request; None when the peer closed the connection cleanly between requests."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise ProtocolError("connection closed in the middle of a request head") from exc
    except asyncio.LimitOverrunError as exc:
        raise ProtocolError("request head too large") from exc
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, target, _version = lines[0].split(" ", 2)
    except ValueError as exc:
        raise ProtocolError(f"bad request line {lines[0][:80]!r}") from exc
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    path, _, query = target.partition("?")
    body = await _read_body(reader, headers)
    return Request(method=method.upper(), raw_path=path, query=query, headers=headers, body=body, scheme=scheme)


def _too_large() -> RefusedRequestError:
    return RefusedRequestError(
        413, "RequestEntityTooLarge", f"Request size is too large: the limit is {MAX_BODY_BYTES} bytes."
    )


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = await reader.readuntil(b"\r\n")
            try:
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            except ValueError as exc:
                raise RefusedRequestError(400, "BadRequest", "Malformed chunk size in a chunked request body.") from exc
            if size == 0:
                await reader.readuntil(b"\r\n")
                return b"".join(chunks)
            total += size
            if size < 0 or total > MAX_BODY_BYTES:
                raise _too_large()
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
    raw_length = headers.get("content-length", "0") or "0"
    if not (raw_length.isascii() and raw_length.isdigit()):
        raise RefusedRequestError(400, "BadRequest", f"Invalid Content-Length header {raw_length[:40]!r}.")
    length = int(raw_length)
    if length > MAX_BODY_BYTES:
        # Decided on the declared size: the body is never read.
        raise _too_large()
    return await reader.readexactly(length) if length else b""


def encode_response(response: Response, *, keep_alive: bool, head_only: bool = False) -> bytes:
    """Serialise a response, always with an explicit Content-Length."""
    reason = _REASONS.get(response.status, "Unknown")
    lines = [f"HTTP/1.1 {response.status} {reason}"]
    lines.extend(f"{name}: {value}" for name, value in response.headers.items())
    lines.append(f"content-length: {len(response.body)}")
    if not keep_alive:
        lines.append("connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
    return head if head_only else head + response.body
