"""OTLP export: with only OTEL_EXPORTER_OTLP_ENDPOINT set, a process's spans and metrics reach an OTLP/HTTP endpoint.

The telemetry is process-global (one provider per process), so the run happens in a child process; the endpoint is a
plain HTTP sink on loopback recording what the real OTLP/HTTP exporters post.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.processes import REPO_ROOT

RUN = "0b7c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3"
CHILD = f"""
import asyncio
from switchboard.telemetry import configure_telemetry, flush_telemetry
from tests.support.teams import weather_team

configure_telemetry()
asyncio.run(weather_team().run("weather in Oslo", run_id="{RUN}"))
flush_telemetry()
"""


class _Sink(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def sink() -> Iterator[tuple[str, list[tuple[str, bytes]]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    _Sink.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Sink.received
    finally:
        server.shutdown()


def test_spans_and_metrics_go_to_the_otlp_endpoint(sink: tuple[str, list[tuple[str, bytes]]]) -> None:
    endpoint, received = sink
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APPLICATIONINSIGHTS_", "OTEL_"))}
    env.update({"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_SERVICE_NAME": "otlp-test"})
    done = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    traces = b"".join(body for path, body in received if path == "/v1/traces")
    metrics = b"".join(body for path, body in received if path == "/v1/metrics")
    for name in (b"send duo", b"process worker", b"invoke_agent checker", b"chat scripted", b"execute_tool lookup"):
        assert name in traces
    assert RUN.encode() in traces
    assert b"otlp-test" in traces
    assert b"switchboard.messages.processed" in metrics
    assert b"switchboard.gen_ai.tokens" in metrics
