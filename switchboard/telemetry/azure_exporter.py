"""`RunOperationTraceExporter`: the Azure Monitor trace exporter with the run id as App Insights' operation name.

The stock exporter sets `ai.operation.name` to each span's own name (and names the request/dependency after it).
Switchboard groups a run's failures, requests and dependencies by run in App Insights, so after the stock conversion
the operation name becomes the span's `switchboard.run_id`; the item keeps its span name. Exception items (span
events) get it too, so the Failures blade groups exceptions by run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from azure.monitor.opentelemetry.exporter import AzureMonitorTraceExporter
from opentelemetry.sdk.trace import ReadableSpan

_OPERATION_NAME = "ai.operation.name"
RUN_ID = "switchboard.run_id"


class RunOperationTraceExporter(AzureMonitorTraceExporter):
    """Exports spans as the stock exporter does, with `ai.operation.name` = the span's run id when it has one."""

    def _span_to_envelope(self, span: ReadableSpan) -> Any:
        envelope = super()._span_to_envelope(span)
        _name_operation(envelope, span)
        return envelope

    def _span_events_to_envelopes(self, span: ReadableSpan) -> Sequence[Any]:
        envelopes = super()._span_events_to_envelopes(span)
        for envelope in envelopes:
            _name_operation(envelope, span)
        return envelopes


def _name_operation(envelope: Any, span: ReadableSpan) -> None:
    run_id = (span.attributes or {}).get(RUN_ID)
    if isinstance(run_id, str) and run_id and envelope.tags is not None:
        envelope.tags[_OPERATION_NAME] = run_id
