"""Telemetry: the instrumentation port on OpenTelemetry, exported to Application Insights or OTLP.

The one package that imports opentelemetry and azure.monitor. `configure_telemetry()` (once per process: the Function
App's `HostedRuntime`, `switchboard host`, the CLI's in-process run) installs it for the core to report to.
"""

from switchboard.instrumentation.scrub import Scrubber
from switchboard.telemetry.settings import ModelPrice, TelemetrySettings, estimate_cost
from switchboard.telemetry.setup import configure_telemetry, flush_telemetry, shutdown_telemetry
from switchboard.telemetry.spans import OpenTelemetryTelemetry

__all__ = [
    "ModelPrice",
    "OpenTelemetryTelemetry",
    "Scrubber",
    "TelemetrySettings",
    "configure_telemetry",
    "estimate_cost",
    "flush_telemetry",
    "shutdown_telemetry",
]
