"""With neither APPLICATIONINSIGHTS_CONNECTION_STRING nor OTEL_EXPORTER_OTLP_ENDPOINT, nothing is set up."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from switchboard import instrumentation
from switchboard.instrumentation import NoTelemetry
from switchboard.telemetry import TelemetrySettings, configure_telemetry
from switchboard.telemetry import setup as telemetry_setup


def test_without_an_exporter_setting_the_core_keeps_its_no_op_telemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APPLICATIONINSIGHTS_CONNECTION_STRING", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    assert telemetry_setup._configured is None, "another test configured this process's telemetry"
    settings = TelemetrySettings()
    assert not settings.enabled
    assert isinstance(configure_telemetry(settings), NoTelemetry)
    assert isinstance(instrumentation.current(), NoTelemetry)
    assert telemetry_setup._configured is None
    assert not isinstance(trace.get_tracer_provider(), TracerProvider), "no SDK tracer provider was installed"
