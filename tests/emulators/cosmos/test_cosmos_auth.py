"""Master-key auth as Azure verifies it, and the headers every response carries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from email.utils import formatdate
from urllib.parse import quote

import pytest
from azure.cosmos import ContainerProxy, CosmosClient, exceptions

from tests.emulators.cosmos.cosmos_harness import KEY, Emulator

WRONG_KEY = base64.b64encode(b"not the emulator key, but valid base64 anyway!!").decode()


def _signed_get(emulator: Emulator, path: str, date: str, key: str = KEY, link: str = "") -> urllib.request.Request:
    text = f"get\n\n{link}\n{date.lower()}\n\n"
    sig = base64.b64encode(hmac.new(base64.b64decode(key), text.encode(), hashlib.sha256).digest()).decode()
    headers = {
        "x-ms-date": date,
        "authorization": quote(f"type=master&ver=1.0&sig={sig}", safe="-_.!~*'()"),
        "x-ms-version": "2020-07-15",
        "x-ms-activity-id": "11111111-2222-3333-4444-555555555555",
    }
    return urllib.request.Request(f"{emulator.http}{path}", headers=headers)


def test_wrong_key_gets_401(emulator: Emulator) -> None:
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        CosmosClient(emulator.http, credential=WRONG_KEY)
    assert caught.value.status_code == 401


def test_stale_date_gets_401_with_the_sdk_error_shape(emulator: Emulator) -> None:
    stale = formatdate(timeval=0, usegmt=True)
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(_signed_get(emulator, "", stale), timeout=5)
    assert caught.value.code == 401
    body = json.loads(caught.value.read())
    assert body["code"] == "Unauthorized"
    assert "not valid at the current time" in body["message"]


def test_fresh_signature_is_accepted_and_activity_id_echoed(emulator: Emulator) -> None:
    with urllib.request.urlopen(_signed_get(emulator, "", formatdate(usegmt=True)), timeout=5) as response:
        assert response.status == 200
        assert response.headers["x-ms-activity-id"] == "11111111-2222-3333-4444-555555555555"


def test_signature_for_another_link_is_refused(emulator: Emulator) -> None:
    request = _signed_get(emulator, "dbs", formatdate(usegmt=True), link="dbs/other")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 401


def test_write_returns_session_token_and_charge(container: ContainerProxy) -> None:
    container.upsert_item({"id": "a", "pk": "p"})
    headers = container.client_connection.last_response_headers
    assert headers["x-ms-session-token"].split(":")[1].startswith("-1#")  # <range id>:-1#<lsn>
    assert float(headers["x-ms-request-charge"]) > 0
    assert headers["x-ms-activity-id"]
    first = int(headers["x-ms-session-token"].split("#")[1])
    container.upsert_item({"id": "b", "pk": "p"})
    second = int(container.client_connection.last_response_headers["x-ms-session-token"].split("#")[1])
    assert second > first
