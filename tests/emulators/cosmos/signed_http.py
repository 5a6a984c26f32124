"""Hand-signed HTTP requests, for wire cases the SDK never produces (it validates some input itself)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any
from urllib.parse import quote

from tests.emulators.cosmos.cosmos_harness import KEY, Emulator


@dataclass
class RawResponse:
    """Status, lower-cased headers and the parsed JSON body (None when empty)."""

    status: int
    headers: dict[str, str]
    body: Any


def signed(
    emulator: Emulator,
    verb: str,
    path: str,
    resource_type: str,
    link: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    *,
    raw: bytes | None = None,
    signature: str | None = None,
) -> RawResponse:
    """Send one master-key-signed request, signing `resource_type` and `link` as a client would.

    `raw` sends exact body bytes instead of `body` as JSON; `signature` replaces the computed one.
    """
    date = formatdate(usegmt=True)
    text = f"{verb.lower()}\n{resource_type}\n{link}\n{date.lower()}\n\n"
    sig = (
        signature or base64.b64encode(hmac.new(base64.b64decode(KEY), text.encode(), hashlib.sha256).digest()).decode()
    )
    all_headers = {
        "x-ms-date": date,
        "x-ms-version": "2020-07-15",
        "authorization": quote(f"type=master&ver=1.0&sig={sig}", safe="-_.!~*'()"),
        "content-type": "application/json",
        **(headers or {}),
    }
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=10)
    try:
        payload = raw if raw is not None else json.dumps(body).encode() if body is not None else None
        connection.request(verb, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        raw = response.read()
        return RawResponse(
            status=response.status,
            headers={name.lower(): value for name, value in response.getheaders()},
            body=json.loads(raw) if raw else None,
        )
    finally:
        connection.close()
