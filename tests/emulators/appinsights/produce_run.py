"""Emit one realistic multi-agent run through `configure_azure_monitor`, as the product's telemetry will.

Run as `python -m tests.emulators.appinsights.produce_run CONNECTION_STRING RUN_ID`: a manager hands turns to a
planner, a researcher (with a tool), a writer and a reviewer over Service Bus queues; every span carries
`switchboard.run_id` and `switchboard.agent`; chat spans carry GenAI token usage and an estimated cost; the
reviewer's `fetch_url` tool fails with a TimeoutError. Span times are fixed (a 9.4 s run starting 2026-11-26
10:00 UTC), so nothing sleeps. Prints the trace id (= operation id) on stdout.
"""

from __future__ import annotations

import logging
import os
import sys

SIDE_CHANNELS_OFF = {
    "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL": "true",
    "APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED": "true",
    "APPLICATIONINSIGHTS_SDKSTATS_DISABLED": "true",
}
MS = 1_000_000  # nanoseconds per millisecond
START_NS = 1_795_687_200 * 1_000_000_000  # 2026-11-26 10:00:00 UTC

# (agent, queue, start ms, handler ms, [(kind, name, offset ms, duration ms, tokens in, out)])
TURNS = [
    ("manager", "research-team", 0, 700, [("chat", "gpt-4o-mini", 40, 520, 410, 35)]),
    ("planner", "planner", 760, 1500, [("chat", "gpt-4o", 60, 1350, 620, 180)]),
    (
        "researcher",
        "researcher",
        2320,
        3100,
        [
            ("chat", "gpt-4o", 50, 900, 840, 60),
            ("tool", "search_notes", 980, 420, 0, 0),
            ("chat", "gpt-4o", 1450, 1550, 1320, 410),
        ],
    ),
    ("writer", "writer", 5480, 2200, [("chat", "gpt-4o", 70, 2050, 1650, 720)]),
    (
        "reviewer",
        "reviewer",
        7740,
        1650,
        [("tool", "fetch_url", 40, 600, 0, 0), ("chat", "gpt-4o", 700, 900, 1910, 95)],
    ),
]
PRICES = {"gpt-4o": (2.5e-6, 10e-6), "gpt-4o-mini": (0.15e-6, 0.6e-6)}


def main(connection_string: str, run_id: str) -> str:
    """Export the run and return its trace id."""
    os.environ.update(SIDE_CHANNELS_OFF)
    os.environ.setdefault("OTEL_SERVICE_NAME", "switchboard-functions")
    from azure.monitor.opentelemetry import configure_azure_monitor
    from opentelemetry import metrics, trace
    from opentelemetry.trace import SpanKind, Status, StatusCode, set_span_in_context

    configure_azure_monitor(
        connection_string=connection_string,
        sampling_ratio=1.0,
        enable_live_metrics=False,
        enable_performance_counters=False,
        disable_offline_storage=True,
        logger_name="switchboard.demo",
    )
    tracer = trace.get_tracer("switchboard")
    processed = metrics.get_meter("switchboard").create_counter("switchboard.messages.processed")
    t0 = START_NS  # fixed, so the page and its screenshot read the same on every run
    common = {"switchboard.run_id": run_id}

    def span(
        name: str, parent: trace.Span | None, kind: SpanKind, start: int, agent: str, **attrs: object
    ) -> trace.Span:
        context = set_span_in_context(parent) if parent is not None else None
        attributes = {**common, "switchboard.agent": agent, **attrs}
        return tracer.start_span(name, context=context, kind=kind, start_time=t0 + start * MS, attributes=attributes)  # type: ignore[arg-type]

    send_parent: trace.Span | None = None
    for index, (agent, queue, start, handler, calls) in enumerate(TURNS):
        messaging = {"messaging.system": "servicebus", "messaging.destination.name": queue}
        process = span(f"process {queue}", send_parent, SpanKind.CONSUMER, start, agent, **messaging)
        invoke = span(
            f"invoke_agent {agent}",
            process,
            SpanKind.INTERNAL,
            start + 10,
            agent,
            **{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": agent},
        )
        for kind, name, offset, duration, tokens_in, tokens_out in calls:
            begin = start + 10 + offset
            if kind == "chat":
                price_in, price_out = PRICES[name]
                call = span(
                    f"chat {name}",
                    invoke,
                    SpanKind.CLIENT,
                    begin,
                    agent,
                    **{
                        "gen_ai.operation.name": "chat",
                        "gen_ai.system": "openai",
                        "gen_ai.request.model": name,
                        "gen_ai.usage.input_tokens": tokens_in,
                        "gen_ai.usage.output_tokens": tokens_out,
                        "gen_ai.response.finish_reasons": ("stop",),
                        "switchboard.cost_usd": round(tokens_in * price_in + tokens_out * price_out, 6),
                    },
                )
            else:
                call = span(
                    f"execute_tool {name}",
                    invoke,
                    SpanKind.INTERNAL,
                    begin,
                    agent,
                    **{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name},
                )
                if name == "fetch_url":
                    try:
                        raise TimeoutError("fetch_url timed out after 600 ms")
                    except TimeoutError as error:
                        call.record_exception(error, timestamp=t0 + (begin + duration) * MS)
                        call.set_status(Status(StatusCode.ERROR, "TimeoutError"))
                        call.set_attribute("error.type", "TimeoutError")
                    with trace.use_span(call):
                        logging.getLogger("switchboard.demo").warning("run %s: tool fetch_url failed", run_id)
            call.end(end_time=t0 + (begin + duration) * MS)
        invoke.end(end_time=t0 + (start + handler - 20) * MS)
        if index + 1 < len(TURNS):
            next_queue = TURNS[index + 1][1]
            sent = span(
                f"send {next_queue}",
                process,
                SpanKind.PRODUCER,
                start + handler - 15,
                agent,
                **{"messaging.system": "servicebus", "messaging.destination.name": next_queue},
            )
            sent.end(end_time=t0 + (start + handler - 5) * MS)
            send_parent = sent
        process.end(end_time=t0 + (start + handler) * MS)
        processed.add(1, {"switchboard.agent": agent})
    trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]
    metrics.get_meter_provider().force_flush()  # type: ignore[attr-defined]
    from opentelemetry._logs import get_logger_provider

    get_logger_provider().force_flush()  # type: ignore[attr-defined]
    return format(process.get_span_context().trace_id, "032x")


if __name__ == "__main__":
    print(main(sys.argv[1], sys.argv[2]), flush=True)
