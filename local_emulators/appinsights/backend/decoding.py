"""Turn an ingestion body into a list of raw items: JSON array, one JSON object, or newline-delimited JSON.

Compressed bodies are inflated incrementally with an output cap, so a gzip bomb costs at most the cap in memory
and is refused as soon as the cap is passed, without inflating the rest.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from local_emulators.appinsights.errors import BodyTooLargeError, MalformedBodyError, UnsupportedEncodingError

_CHUNK = 64 * 1024


class LineError:
    """A line of a newline-delimited body that is not JSON; it becomes a per-item 400."""

    def __init__(self, message: str) -> None:
        self.message = message


def inflate(body: bytes, encoding: str | None, limit: int) -> bytes:
    """Undo the Content-Encoding of `body`, refusing output larger than `limit` bytes.

    Raises:
        BodyTooLargeError: The inflated body would exceed `limit`.
        MalformedBodyError: The compressed stream is corrupt or truncated.
        UnsupportedEncodingError: An encoding other than gzip, deflate or identity.
    """
    name = (encoding or "identity").strip().lower()
    if name in ("", "identity"):
        return body
    if name in ("gzip", "x-gzip"):
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif name == "deflate":
        decompressor = zlib.decompressobj()
    else:
        raise UnsupportedEncodingError(f"Content-Encoding '{encoding}' is not supported (gzip, deflate).")
    out = bytearray()
    pending = body
    try:
        while True:
            chunk = decompressor.decompress(pending, _CHUNK)
            pending = decompressor.unconsumed_tail
            out += chunk
            if len(out) > limit:
                raise BodyTooLargeError(f"The decompressed body exceeds {limit} bytes.")
            if decompressor.eof:
                # gzip allows several members one after another (`cat a.gz b.gz`).
                pending = decompressor.unused_data
                if name == "deflate" or not pending:
                    break
                decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
            elif not chunk and not pending:
                raise MalformedBodyError(f"The {name} body is truncated.")
    except zlib.error as error:
        raise MalformedBodyError(f"The {name} body cannot be decompressed: {error}.") from error
    return bytes(out)


def parse_items(body: bytes) -> list[Any]:
    """Split a decoded body into items (each a parsed JSON value, or a `LineError` for a bad NDJSON line).

    Raises:
        MalformedBodyError: The body is empty or not UTF-8, or neither JSON nor newline-delimited JSON.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MalformedBodyError("The body is not UTF-8.") from error
    if not text.strip():
        raise MalformedBodyError("The body is empty.")
    try:
        whole = json.loads(text)
    except ValueError:
        whole = None
    else:
        if isinstance(whole, list):
            return whole
        if isinstance(whole, dict):
            return [whole]
        raise MalformedBodyError("The body must be a JSON array or object of envelopes.")
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        raise MalformedBodyError("The body is not valid JSON.")
    items: list[Any] = []
    for number, line in enumerate(lines, start=1):
        try:
            items.append(json.loads(line))
        except ValueError:
            items.append(LineError(f"Line {number} is not valid JSON."))
    return items
