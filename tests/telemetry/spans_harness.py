"""In-memory OpenTelemetry providers for telemetry tests, and checks of a trace's shape."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from switchboard.telemetry import ModelPrice, OpenTelemetryTelemetry, Scrubber
from switchboard.telemetry.ids import RunTraceIdGenerator


@dataclass
class Captured:
    telemetry: OpenTelemetryTelemetry
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def metric_points(self, name: str) -> list[tuple[dict[str, object], float]]:
        data = self.metrics.get_metrics_data()
        points: list[tuple[dict[str, object], float]] = []
        for resource in data.resource_metrics if data else []:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name != name:
                        continue
                    for point in metric.data.data_points:
                        value = float(getattr(point, "value", None) or getattr(point, "sum", 0.0) or 0.0)
                        points.append((dict(point.attributes or {}), float(value)))
        return points


def capture(*, capture_content: bool = False, secrets: Sequence[str] = ()) -> Captured:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(id_generator=RunTraceIdGenerator())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    telemetry = OpenTelemetryTelemetry(
        provider,
        MeterProvider(metric_readers=[reader]),
        prices={"scripted": ModelPrice(input=1000.0, output=2000.0)},
        capture_content=capture_content,
        scrubber=Scrubber(secrets),
    )
    return Captured(telemetry, exporter, reader)


def attributes(span: ReadableSpan) -> dict[str, object]:
    return dict(span.attributes or {})


def assert_one_connected_trace(spans: Sequence[ReadableSpan], trace_id: str) -> None:
    """Every span is in `trace_id`, exactly one is a root, every parent exists, and each `process` span's parent
    is a `send` span to the same destination (the links cross every hop)."""
    assert {f"{s.context.trace_id:032x}" for s in spans} == {trace_id}
    by_id = {s.context.span_id: s for s in spans}
    roots = [s for s in spans if s.parent is None]
    assert len(roots) == 1, [s.name for s in roots]
    for span in spans:
        if span.parent is not None:
            assert span.parent.span_id in by_id, f"{span.name} has a missing parent"
        if span.name.startswith("process ") and span.parent is not None:
            parent = by_id[span.parent.span_id]
            assert parent.name == "send " + span.name.removeprefix("process "), (span.name, parent.name)
