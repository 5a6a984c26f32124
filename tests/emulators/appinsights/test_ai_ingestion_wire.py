"""Raw HTTP against the emulator process: body formats, per-item answers, quotas, throttling, ports, durability."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.appinsights.conftest import AppInsights, produce_run, start_appinsights
from tests.emulators.appinsights.envelope_factory import as_array, as_ndjson, gzipped, span_envelope
from tests.support.processes import REPO_ROOT

pytestmark = pytest.mark.emulator
LIMITS = ("--max-body-bytes", "300000", "--max-items-per-request", "50", "--max-stored-items", "300")


def post(emulator: AppInsights, body: bytes, *, path: str = "/v2.1/track", gzip_body: bool = False) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if gzip_body:
        headers["Content-Encoding"] = "gzip"
    request = urllib.request.Request(emulator.url + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.load(reply)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def spans(operation: str, count: int, **kwargs: Any) -> list[dict[str, Any]]:
    return [span_envelope(operation, f"{operation}-{i}", f"chat m{i}", **kwargs) for i in range(count)]


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppInsights]:
    running = start_appinsights(
        tmp_path_factory.mktemp("ai-limited") / "data", *LIMITS, "--max-concurrent-requests", "1"
    )
    yield running
    running.process.stop()


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_array_object_and_ndjson_bodies_plain_and_gzip(appinsights: AppInsights, compress: bool) -> None:
    operation = f"formats-{compress}"
    items = spans(operation, 3)
    bodies = {"/v2.1/track": as_array(items[:1]), "/v2/track": json.dumps(items[1]).encode()}
    for path, body in bodies.items():
        assert post(appinsights, gzipped(body) if compress else body, path=path, gzip_body=compress) == (
            200,
            {"itemsReceived": 1, "itemsAccepted": 1, "errors": []},
        )
    ndjson = as_ndjson([items[2], items[2]])
    assert post(appinsights, gzipped(ndjson) if compress else ndjson, gzip_body=compress)[1]["itemsAccepted"] == 2
    stored = appinsights.get(f"/api/envelopes?operation_id={operation}")
    assert [e["data"]["baseData"]["id"] for e in stored] == [f"{operation}-{i}" for i in (0, 1, 2, 2)]


def test_bad_items_get_their_own_400_and_the_rest_is_kept(appinsights: AppInsights) -> None:
    good, wrong_key, no_time = spans("partial", 3)
    wrong_key["iKey"] = "11111111-2222-3333-4444-555555555555"
    del no_time["time"]
    body = as_ndjson([good]) + b"{not json\n" + as_ndjson([wrong_key, no_time])
    status, answer = post(appinsights, body)
    assert (status, answer["itemsReceived"], answer["itemsAccepted"]) == (206, 4, 1)
    assert answer["errors"] == [
        {"index": 1, "statusCode": 400, "message": "Line 2 is not valid JSON."},
        {"index": 2, "statusCode": 400, "message": "Invalid instrumentation key"},
        {"index": 3, "statusCode": 400, "message": "Field 'time' on type Envelope is required."},
    ]
    status, answer = post(appinsights, as_array([wrong_key]))
    assert (status, answer["itemsAccepted"], answer["errors"][0]["message"]) == (400, 0, "Invalid instrumentation key")
    status, answer = post(appinsights, b"\x00garbage")
    assert (status, answer["itemsReceived"], answer["errors"][0]["statusCode"]) == (400, 0, 400)
    status, answer = post(appinsights, b"{not gzip", gzip_body=True)
    assert (status, answer["itemsAccepted"]) == (400, 0)


def test_oversized_body_is_refused_413_before_it_is_read(limited: AppInsights) -> None:
    status, answer = post(limited, as_array(spans("big", 900)))
    assert status == 413
    assert answer == {
        "itemsReceived": 0,
        "itemsAccepted": 0,
        "errors": [{"index": 0, "statusCode": 413, "message": "The request body exceeds 300000 bytes."}],
    }
    assert limited.get("/api/envelopes?operation_id=big") == []


def _peak_rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


def test_gzip_bomb_is_refused_without_inflating_it(limited: AppInsights) -> None:
    # 256 gzip members of 1 MiB of zeros each: 256 MiB inflated from about 260 KB sent.
    member = gzip.compress(bytes(1 << 20), compresslevel=9)
    bomb = member * 256
    assert len(bomb) < 300_000
    before = _peak_rss_kib(limited.process.pid)
    status, answer = post(limited, bomb, gzip_body=True)
    assert (status, answer["errors"][0]["message"]) == (413, "The decompressed body exceeds 300000 bytes.")
    # Inflating it all would have needed 256 MiB; the peak grew by no more than a few multiples of the cap.
    assert _peak_rss_kib(limited.process.pid) - before < 32 * 1024


def test_items_past_the_per_request_cap_are_rejected_one_by_one(limited: AppInsights) -> None:
    status, answer = post(limited, as_array(spans("cap", 55)))
    assert (status, answer["itemsReceived"], answer["itemsAccepted"]) == (206, 55, 50)
    assert [e["index"] for e in answer["errors"]] == list(range(50, 55))
    assert answer["errors"][0]["message"] == "Too many items in one request (at most 50)."


def test_a_flood_keeps_at_most_the_cap_evicting_whole_oldest_operations(limited: AppInsights) -> None:
    for batch in range(12):
        assert post(limited, as_array(spans(f"flood-{batch}", 40)))[0] == 200
    health = limited.get("/health")
    assert 0 < health["items"] <= 300
    kept = [len(limited.get(f"/api/envelopes?operation_id=flood-{batch}")) for batch in range(12)]
    # Oldest operations went whole; the newest seven remain complete.
    assert kept == [0] * 5 + [40] * 7


def test_requests_past_the_concurrency_limit_get_429_with_retry_after(limited: AppInsights) -> None:
    with socket.create_connection(("127.0.0.1", limited.process.port)) as slow:
        slow.sendall(
            b"POST /v2.1/track HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n["
        )
        deadline = time.monotonic() + 10
        while limited.get("/health")["ingesting"] != 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        connection = http.client.HTTPConnection("127.0.0.1", limited.process.port, timeout=10)
        connection.request("POST", "/v2.1/track", body=as_array(spans("throttled", 1)))
        reply = connection.getresponse()
        assert (reply.status, reply.headers["Retry-After"]) == (429, "1")
        assert json.loads(reply.read())["errors"][0]["statusCode"] == 429
        connection.close()
    deadline = time.monotonic() + 10
    while limited.get("/health")["ingesting"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert post(limited, as_array(spans("after-throttle", 1)))[0] == 200


def test_deflate_and_unknown_encodings(limited: AppInsights) -> None:
    body = as_array(spans("deflate", 2))
    request = urllib.request.Request(
        limited.url + "/v2.1/track", data=zlib.compress(body), headers={"Content-Encoding": "deflate"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert json.load(reply)["itemsAccepted"] == 2
    request = urllib.request.Request(
        limited.url + "/v2.1/track", data=body, headers={"Content-Encoding": "br"}, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 415


def test_a_taken_port_exits_2(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "local_emulators.appinsights", "--port", str(port), "--data-dir", str(tmp_path)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    assert f"error: cannot listen on 127.0.0.1:{port}" in done.stderr


def test_acknowledged_telemetry_survives_kill_9(tmp_path: Path) -> None:
    emulator = start_appinsights(tmp_path / "data")
    try:
        trace_id = produce_run(emulator, "run-durable")
        before = emulator.get("/api/runs/run-durable")
        emulator.process.kill_hard()
        emulator = start_appinsights(tmp_path / "data")
        assert emulator.get("/api/runs/run-durable") == before
        assert before["operation_ids"] == [trace_id]
        assert before["span_count"] == 22
    finally:
        emulator.process.stop()
