"""The real azure-monitor-opentelemetry exporter against the emulator process: what arrives is stored and queryable."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from typing import Any

import pytest
from azure.monitor.opentelemetry.exporter import AzureMonitorTraceExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, format_trace_id

from tests.emulators.appinsights.conftest import AppInsights
from tests.support.processes import REPO_ROOT

pytestmark = pytest.mark.emulator


def _spans(envelopes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in envelopes if e["data"]["baseType"] in ("RequestData", "RemoteDependencyData")]


def test_configure_azure_monitor_run_is_one_trace_with_parents_exceptions_logs_and_metrics(
    appinsights: AppInsights, demo_run: tuple[str, str]
) -> None:
    run_id, trace_id = demo_run
    envelopes = appinsights.get(f"/api/envelopes?operation_id={trace_id}")
    spans = _spans(envelopes)
    assert len(spans) == 22
    assert {s["tags"]["ai.operation.id"] for s in spans} == {trace_id}
    by_id = {s["data"]["baseData"]["id"]: s for s in spans}
    roots = [s for s in spans if "ai.operation.parentId" not in s["tags"]]
    assert [r["data"]["baseData"]["name"] for r in roots] == ["process research-team"]
    assert all(s["tags"]["ai.operation.parentId"] in by_id for s in spans if s not in roots)
    assert all(s["data"]["baseData"]["properties"]["switchboard.run_id"] == run_id for s in spans)
    # A consumer span is a request; its parent is the send span of the previous hop.
    reviewer = next(s for s in spans if s["data"]["baseData"]["name"] == "process reviewer")
    assert reviewer["data"]["baseType"] == "RequestData"
    assert by_id[reviewer["tags"]["ai.operation.parentId"]]["data"]["baseData"]["name"] == "send reviewer"
    chat = next(s for s in spans if s["data"]["baseData"]["name"] == "chat gpt-4o-mini")
    assert chat["data"]["baseType"] == "RemoteDependencyData"
    assert chat["data"]["baseData"]["properties"]["gen_ai.usage.input_tokens"] == "410"

    (exception,) = [e for e in envelopes if e["data"]["baseType"] == "ExceptionData"]
    assert exception["data"]["baseData"]["exceptions"][0]["typeName"] == "TimeoutError"
    failed = by_id[exception["tags"]["ai.operation.parentId"]]["data"]["baseData"]
    assert (failed["name"], failed["success"]) == ("execute_tool fetch_url", False)
    (log,) = [e for e in envelopes if e["data"]["baseType"] == "MessageData"]
    assert run_id in log["data"]["baseData"]["message"]

    metrics = appinsights.get("/api/envelopes?type=Metric&name=switchboard.messages.processed")
    counted = {
        m["data"]["baseData"]["properties"]["switchboard.agent"]: m["data"]["baseData"]["metrics"] for m in metrics
    }
    assert set(counted) == {"manager", "planner", "researcher", "writer", "reviewer"}
    assert all(points[0]["value"] == 1 for points in counted.values())


def test_run_api_totals_and_lookup_by_run_id_or_trace_id(appinsights: AppInsights, demo_run: tuple[str, str]) -> None:
    run_id, trace_id = demo_run
    run = appinsights.get(f"/api/runs/{run_id}")
    assert run == appinsights.get(f"/api/runs/{trace_id}")
    assert (run["run_id"], run["operation_ids"], run["status"], run["errors"]) == (run_id, [trace_id], "failed", 1)
    assert (run["input_tokens"], run["output_tokens"], run["span_count"]) == (6750, 1500, 22)
    assert [a["agent"] for a in run["agents"]] == ["manager", "planner", "researcher", "writer", "reviewer"]
    researcher = run["agents"][2]
    assert (researcher["llm_calls"], researcher["tool_calls"], researcher["input_tokens"]) == (2, 1, 2160)
    assert run["duration_ms"] == pytest.approx(9390, abs=1)
    listed = {r["run_id"]: r for r in appinsights.get("/api/runs")["runs"]}
    assert listed[run_id]["operation_id"] == trace_id
    assert listed[run_id]["input_tokens"] + listed[run_id]["output_tokens"] == 8250


def _export(appinsights: AppInsights, ikey: str) -> tuple[SpanExportResult, str]:
    collected = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(collected))
    tracer = provider.get_tracer("test")
    with (
        tracer.start_as_current_span("process planner", kind=SpanKind.CONSUMER) as parent,
        tracer.start_as_current_span("chat gpt-4o", kind=SpanKind.CLIENT),
    ):
        pass
    endpoint = f"{appinsights.url}/"
    exporter = AzureMonitorTraceExporter(
        connection_string=f"InstrumentationKey={ikey};IngestionEndpoint={endpoint}", disable_offline_storage=True
    )
    result = exporter.export(collected.get_finished_spans())
    exporter.shutdown()
    provider.shutdown()
    return result, format_trace_id(parent.get_span_context().trace_id)


def test_exporter_with_the_configured_key_succeeds_and_a_wrong_key_is_rejected(appinsights: AppInsights) -> None:
    result, trace_id = _export(appinsights, "00000000-0000-0000-0000-000000000000")
    assert result is SpanExportResult.SUCCESS
    stored = _spans(appinsights.get(f"/api/envelopes?operation_id={trace_id}"))
    parent = next(s for s in stored if s["data"]["baseData"]["name"] == "process planner")
    child = next(s for s in stored if s["data"]["baseData"]["name"] == "chat gpt-4o")
    assert child["tags"]["ai.operation.parentId"] == parent["data"]["baseData"]["id"]

    result, trace_id = _export(appinsights, "11111111-2222-3333-4444-555555555555")
    assert result is SpanExportResult.FAILURE
    assert appinsights.get(f"/api/envelopes?operation_id={trace_id}") == []


def test_live_metrics_ping_is_answered_not_subscribed(appinsights: AppInsights) -> None:
    for action in ("ping", "post"):
        request = urllib.request.Request(
            f"{appinsights.url}/QuickPulseService.svc/{action}?api-version=2024-04-01-preview&ikey=x",
            data=b"[]",
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            assert (reply.status, reply.headers["x-ms-qps-subscribed"]) == (200, "false")


def _show(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "local_emulators.appinsights", "show", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_show_prints_the_span_tree_with_durations_tokens_and_the_error(
    appinsights: AppInsights, demo_run: tuple[str, str]
) -> None:
    run_id, trace_id = demo_run
    by_url = _show(run_id, "--url", appinsights.url)
    assert by_url.returncode == 0, by_url.stderr
    lines = by_url.stdout.splitlines()
    assert lines[0] == f"run {run_id} · failed · 9.39 s · 22 spans · tokens 6750 in / 1500 out · $0.0306"
    assert lines[3] == "process research-team  [manager]  700 ms"
    assert "│  └─ chat gpt-4o-mini  520 ms  tokens 410 in / 35 out" in lines
    failed = next(line for line in lines if "fetch_url" in line)
    assert failed.endswith("├─ execute_tool fetch_url  600 ms  ✗ TimeoutError: fetch_url timed out after 600 ms")
    assert any(line.split() == ["researcher", "6", "2", "1", "2160", "470", "0.0101", "0"] for line in lines)
    # The store read directly (while the emulator runs) gives the same text, by trace id too.
    by_store = _show(trace_id, "--data-dir", str(appinsights.data_dir))
    assert by_store.stdout == by_url.stdout

    missing = _show("no-such-run", "--url", appinsights.url)
    assert (missing.returncode, missing.stderr) == (
        1,
        f"error: no telemetry for run 'no-such-run' at {appinsights.url}\n",
    )
