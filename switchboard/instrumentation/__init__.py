"""The core's instrumentation port (no telemetry SDK here): see `port` and `ambient`."""

from switchboard.instrumentation.ambient import current, flush, install, message_traceparent, trace_id_for, use
from switchboard.instrumentation.port import ChatSpan, Content, NoTelemetry, ProcessSpan, Span, Telemetry

__all__ = [
    "ChatSpan",
    "Content",
    "NoTelemetry",
    "ProcessSpan",
    "Span",
    "Telemetry",
    "current",
    "flush",
    "install",
    "message_traceparent",
    "trace_id_for",
    "use",
]
