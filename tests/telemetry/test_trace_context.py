"""Trace context rules: a `process` span continues the producer's trace and links the host's invocation span; without
a producer context (and for a client's submit) the span starts the run's own trace, whose id derives from the run id."""

from __future__ import annotations

from opentelemetry.trace import SpanKind

from switchboard.instrumentation import trace_id_for
from tests.telemetry.spans_harness import attributes, capture

RUN = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"
PRODUCER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def test_process_continues_the_producer_and_links_the_host_invocation() -> None:
    captured = capture()
    tracer = captured.telemetry._tracer
    with (
        tracer.start_as_current_span("host invocation") as host,
        captured.telemetry.process(
            queue="worker", agent="worker", run_id=RUN, message_id="m-1", delivery_count=2, traceparent=PRODUCER
        ) as span,
    ):
        assert span.traceparent is not None
        assert span.traceparent.startswith("00-0af7651916cd43dd8448eb211c80319c-")
    process = next(s for s in captured.finished() if s.name == "process worker")
    assert process.kind is SpanKind.CONSUMER
    assert process.parent is not None
    assert f"{process.parent.span_id:016x}" == "b7ad6b7169203331"
    assert [link.context.span_id for link in process.links] == [host.get_span_context().span_id]
    assert attributes(process)["messaging.servicebus.message.delivery_count"] == 2


def test_without_a_producer_context_the_run_starts_its_own_trace() -> None:
    captured = capture()
    with captured.telemetry._tracer.start_as_current_span("host invocation"):
        with captured.telemetry.process(
            queue="tasks", agent="ingress", run_id=RUN, message_id=RUN, delivery_count=1, traceparent=None
        ):
            pass
        with captured.telemetry.send(queue="tasks", run_id=RUN, agent=None, message_ids=[RUN], new_trace=True):
            pass
    for name in ("process tasks", "send tasks"):
        span = next(s for s in captured.finished() if s.name == name)
        assert span.parent is None, name
        assert f"{span.context.trace_id:032x}" == trace_id_for(RUN)
        assert len(span.links) == 1
    send = next(s for s in captured.finished() if s.name == "send tasks")
    assert attributes(send)["switchboard.agent"] == "client"


def test_a_malformed_traceparent_starts_the_run_trace_instead_of_failing() -> None:
    captured = capture()
    with captured.telemetry.process(
        queue="worker", agent="worker", run_id=RUN, message_id="m", delivery_count=1, traceparent="00-zz-yy-01"
    ):
        pass
    [span] = captured.finished()
    assert span.parent is None
    assert f"{span.context.trace_id:032x}" == trace_id_for(RUN)
