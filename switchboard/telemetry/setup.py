"""`configure_telemetry`: once per process, export to Application Insights and/or OTLP, or nothing.

- `APPLICATIONINSIGHTS_CONNECTION_STRING` set: `configure_azure_monitor` sets up metrics (and the resource); traces go
  through Switchboard's own provider so the operation name is the run id (`RunOperationTraceExporter`) and a run's
  root spans get the run's trace id. Sampling is fixed-percentage, 100 % unless `OTEL_TRACES_SAMPLER` is
  `microsoft.fixed_percentage` with another `OTEL_TRACES_SAMPLER_ARG` (never the 5 traces/s rate limit, which
  drops agent traces). The credential comes from `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` (read by the exporter).
  Against a local ingestion endpoint (the emulator): no live metrics, performance counters, statsbeat or offline
  storage. Library auto-instrumentation stays off: Switchboard's spans cover its Service Bus and model calls, and
  the Azure SDKs' tracing would stamp its own trace context on our messages.
- `OTEL_EXPORTER_OTLP_ENDPOINT` set: spans and metrics also (or only) over OTLP/HTTP.
- Neither: nothing is set up; the core keeps its no-op telemetry.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import Sampler

from switchboard.instrumentation import Telemetry, current, install
from switchboard.instrumentation.scrub import Scrubber
from switchboard.telemetry.ids import RunTraceIdGenerator
from switchboard.telemetry.settings import TelemetrySettings
from switchboard.telemetry.spans import OpenTelemetryTelemetry

_INSTRUMENTATIONS = ("azure_sdk", "django", "fastapi", "flask", "httpx", "httpx2", "psycopg2", "requests", "urllib")
_LOCAL_SIDE_CHANNELS = (
    "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL",
    "APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED",
    "APPLICATIONINSIGHTS_SDKSTATS_DISABLED",
)
_lock = threading.Lock()
_configured: OpenTelemetryTelemetry | None = None


def configure_telemetry(settings: TelemetrySettings | None = None) -> Telemetry:
    """Set up the exporters the settings name and install the telemetry for the whole process (idempotent).

    Returns:
        The installed telemetry (the no-op when no exporter is configured).
    """
    global _configured
    with _lock:
        if _configured is not None:
            return _configured
        settings = settings or TelemetrySettings()
        if not settings.enabled:
            return current()
        _configured = _build(settings)
        install(_configured)
        atexit.register(shutdown_telemetry)
        return _configured


def flush_telemetry() -> None:
    """Export everything buffered now (spans and metrics)."""
    if _configured is not None:
        _configured.flush()


def shutdown_telemetry() -> None:
    """Flush and stop the exporters (at process exit)."""
    if _configured is None:
        return
    _configured.flush()
    for provider in (trace.get_tracer_provider(), metrics.get_meter_provider()):
        shutdown = getattr(provider, "shutdown", None)
        if shutdown is not None:
            shutdown()


def _build(settings: TelemetrySettings) -> OpenTelemetryTelemetry:
    local = settings.local_ingestion
    if local:
        for name in _LOCAL_SIDE_CHANNELS:
            os.environ.setdefault(name, "true")
        # The distro's default detectors probe the Azure VM metadata endpoint: pointless (and slow) on a laptop.
        os.environ.setdefault("OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", "otel")
    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME") or settings.service_name})
    tracer_provider = TracerProvider(resource=resource, id_generator=RunTraceIdGenerator(), sampler=_sampler(settings))
    otlp_readers: list[MetricReader] = []
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        otlp_readers.append(PeriodicExportingMetricReader(OTLPMetricExporter()))
    if settings.connection_string:
        from azure.monitor.opentelemetry import configure_azure_monitor

        from switchboard.telemetry.azure_exporter import RunOperationTraceExporter

        # The distro reads its disable_* switches from OTEL_*_EXPORTER only (it overwrites the keyword arguments).
        with _environment(OTEL_TRACES_EXPORTER="none", OTEL_LOGS_EXPORTER="none"):
            configure_azure_monitor(
                connection_string=settings.connection_string,
                resource=resource,
                disable_tracing=True,
                disable_logging=True,
                enable_live_metrics=not local,
                enable_performance_counters=not local,
                disable_offline_storage=local,
                metric_readers=otlp_readers,
                instrumentation_options={name: {"enabled": False} for name in _INSTRUMENTATIONS},
            )
        exporter = RunOperationTraceExporter(
            connection_string=settings.connection_string, disable_offline_storage=local
        )
        tracer_provider.add_span_processor(BatchSpanProcessor(exporter))
    elif otlp_readers:
        metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=otlp_readers))
    trace.set_tracer_provider(tracer_provider)
    return OpenTelemetryTelemetry(
        tracer_provider,
        metrics.get_meter_provider(),
        prices=settings.prices(),
        capture_content=settings.capture_content,
        scrubber=Scrubber.from_environment(),
    )


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _sampler(settings: TelemetrySettings) -> Sampler:
    from azure.monitor.opentelemetry.exporter import ApplicationInsightsSampler

    ratio = 1.0
    if os.environ.get("OTEL_TRACES_SAMPLER", "").lower() in (
        "microsoft.fixed_percentage",
        "microsoft.fixed.percentage",
    ):
        try:
            ratio = min(max(float(os.environ.get("OTEL_TRACES_SAMPLER_ARG", "1.0")), 0.0), 1.0)
        except ValueError:
            ratio = 1.0
    return ApplicationInsightsSampler(sampling_ratio=ratio)
