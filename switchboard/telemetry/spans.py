"""`OpenTelemetryTelemetry`: the instrumentation port on OpenTelemetry (spans, metrics) with its conventions.

Span names and attributes follow the OpenTelemetry messaging conventions (`send <queue>` PRODUCER, `process <queue>`
CONSUMER) and GenAI conventions (`invoke_agent <name>`, `chat <model>` CLIENT, `execute_tool <name>`); every span
carries `switchboard.run_id` and `switchboard.agent`. A span an exception escapes gets status ERROR, `error.type`
and an `exception` event with the TYPE only: messages and tracebacks' last lines can quote secrets or prompt text.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.metrics import MeterProvider, get_meter_provider
from opentelemetry.trace import Link, SpanKind, Status, StatusCode, TracerProvider
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from switchboard.instrumentation import Content, trace_id_for
from switchboard.instrumentation.port import AttributeValue
from switchboard.instrumentation.scrub import Scrubber
from switchboard.telemetry.ids import seeded_trace
from switchboard.telemetry.metrics import Instruments
from switchboard.telemetry.settings import ModelPrice, estimate_cost

RUN_ID = "switchboard.run_id"
AGENT = "switchboard.agent"
COST = "switchboard.cost_usd"
_PROPAGATOR = TraceContextTextMapPropagator()


class _Span:
    """One OpenTelemetry span behind the port's `Span`, `ProcessSpan` and `ChatSpan`."""

    def __init__(self, owner: OpenTelemetryTelemetry, span: trace.Span, *, agent: str, run_id: str | None) -> None:
        self._owner = owner
        self.span = span
        self.agent = agent
        self.run_id = run_id
        self.failed: str | None = None
        self.request_model: str | None = None
        self.settlement = "complete"
        self.outcome = "handled"

    @property
    def traceparent(self) -> str | None:
        context = self.span.get_span_context()
        if not context.is_valid:
            return None
        return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"

    def set(self, key: str, value: AttributeValue) -> None:
        self.span.set_attribute(key, self._owner.scrub(value) if isinstance(value, str) else value)

    def fail(self, error_type: str) -> None:
        self.failed = error_type
        self.span.set_attribute("error.type", error_type)
        self.span.set_status(Status(StatusCode.ERROR, error_type))

    def error(self, error: BaseException) -> None:
        """Record an escaping exception: status, `error.type` and an `exception` event without its message."""
        name = type(error).__qualname__
        # Frames as file, line and function only: source lines can quote secrets as literally as messages can.
        frames = "".join(
            f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}\n'
            for frame in traceback.extract_tb(error.__traceback__)
        )
        self.span.add_event(
            "exception",
            {
                "exception.type": name,
                "exception.message": name,
                "exception.stacktrace": self._owner.scrub(f"Traceback (most recent call last):\n{frames}{name}"),
                RUN_ID: self.run_id or "",
                AGENT: self.agent,
            },
        )
        self.fail(name)

    def settled(self, kind: str, outcome: str, error_type: str | None = None) -> None:
        self.settlement, self.outcome = kind, outcome
        self.span.set_attribute("switchboard.settlement", kind)
        self.span.set_attribute("switchboard.outcome", outcome)
        if kind != "complete" or error_type:
            self.fail(error_type or kind)

    def completed(
        self,
        *,
        response_model: str,
        input_tokens: int,
        output_tokens: int,
        finish_reason: str,
        output: Content | None = None,
        request_model: str | None = None,
        price: tuple[float, float] | None = None,
    ) -> None:
        span = self.span
        if request_model:
            span.update_name(f"chat {request_model}")
            span.set_attribute("gen_ai.request.model", request_model)
            self.request_model = request_model
        requested = self.request_model
        model = response_model or requested or ""
        if response_model:
            span.set_attribute("gen_ai.response.model", response_model)
        span.set_attribute("gen_ai.usage.input_tokens", input_tokens)
        span.set_attribute("gen_ai.usage.output_tokens", output_tokens)
        span.set_attribute("gen_ai.response.finish_reasons", (finish_reason,))
        # Priced by the model that answered (a dated version matches its family), else by the one asked for (an
        # Azure deployment name is whatever the deployment was called).
        if price is not None:  # the client's own price (a model per agent) beats the list
            cost: float | None = round((input_tokens * price[0] + output_tokens * price[1]) / 1_000_000, 8)
        else:
            cost = estimate_cost(self._owner.prices, model, input_tokens, output_tokens)
        if cost is None and requested:
            cost = estimate_cost(self._owner.prices, requested, input_tokens, output_tokens)
        if cost is not None:
            span.set_attribute(COST, cost)
        if output is not None and self._owner.capture_content:
            span.set_attribute("gen_ai.output.messages", self._owner.scrub(output()))
        # Labelled by the model asked for, as the span and the saved queries are (a reply may name another).
        self._owner.instruments.usage(self.agent, requested or model, input_tokens, output_tokens, cost)


class OpenTelemetryTelemetry:
    """Implements `switchboard.instrumentation.Telemetry` on the given (or the global) OpenTelemetry providers."""

    def __init__(
        self,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        *,
        prices: dict[str, ModelPrice] | None = None,
        capture_content: bool = False,
        scrubber: Scrubber | None = None,
        system: str = "openai",
    ) -> None:
        """Build the tracer and the instruments.

        Args:
            tracer_provider: Where spans go (the global provider by default).
            meter_provider: Where metrics go (the global provider by default).
            prices: Model prices for `switchboard.cost_usd` (none: no cost).
            capture_content: Put prompt, completion and tool-argument text on spans (scrubbed).
            scrubber: Removes secrets from every string attribute; one from the environment by default.
            system: `gen_ai.system` of chat spans (every Switchboard model client speaks the OpenAI API).
        """
        provider = tracer_provider or trace.get_tracer_provider()
        self._provider = provider
        self._tracer = provider.get_tracer("switchboard")
        self._meter_provider = meter_provider or get_meter_provider()
        self.instruments = Instruments(self._meter_provider.get_meter("switchboard"))
        self.prices = prices or {}
        self.capture_content = capture_content
        self.scrub = scrubber or Scrubber.from_environment()
        self.system = system

    def send(
        self, *, queue: str, run_id: str, agent: str | None, message_ids: Sequence[str], new_trace: bool = False
    ) -> AbstractContextManager[_Span]:
        """`send <queue>` PRODUCER (a root of the run's trace with `new_trace`)."""
        attributes: dict[str, Any] = {
            "messaging.system": "servicebus",
            "messaging.operation.type": "send",
            "messaging.operation.name": "send",
            "messaging.destination.name": queue,
            RUN_ID: run_id,
            AGENT: agent or "client",
        }
        if len(message_ids) == 1:
            attributes["messaging.message.id"] = message_ids[0]
        else:
            attributes["messaging.batch.message_count"] = len(message_ids)
        parent = _new_trace() if new_trace else None
        return self._span(f"send {queue}", SpanKind.PRODUCER, attributes, agent or "client", run_id, parent, new_trace)

    def process(
        self,
        *,
        queue: str,
        agent: str,
        run_id: str | None,
        message_id: str,
        delivery_count: int,
        traceparent: str | None,
    ) -> AbstractContextManager[_Span]:
        """`process <queue>` CONSUMER, child of the producer's span; records the message metrics on exit."""
        attributes: dict[str, Any] = {
            "messaging.system": "servicebus",
            "messaging.operation.type": "process",
            "messaging.operation.name": "process",
            "messaging.destination.name": queue,
            "messaging.message.id": message_id,
            "messaging.servicebus.message.delivery_count": delivery_count,
            # App Insights drops messaging.* from customDimensions; queries read the attempt from here.
            "switchboard.delivery_count": delivery_count,
            RUN_ID: run_id or "",
            AGENT: agent,
        }
        parent = _PROPAGATOR.extract({"traceparent": traceparent}) if traceparent else None
        fresh = parent is None or not trace.get_current_span(parent).get_span_context().is_valid
        if fresh:
            parent = _new_trace()
        return self._span(f"process {queue}", SpanKind.CONSUMER, attributes, agent, run_id, parent, fresh, queue)

    def invoke_agent(self, *, agent: str, run_id: str) -> AbstractContextManager[_Span]:
        """`invoke_agent <agent>`."""
        attributes = {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": agent, RUN_ID: run_id, AGENT: agent}
        return self._span(f"invoke_agent {agent}", SpanKind.INTERNAL, attributes, agent, run_id)

    def chat(
        self, *, agent: str, run_id: str, model: str, input: Content | None = None
    ) -> AbstractContextManager[_Span]:
        """`chat <model>` CLIENT."""
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.system": self.system,
            "gen_ai.provider.name": self.system,
            "gen_ai.request.model": model,
            "gen_ai.agent.name": agent,
            RUN_ID: run_id,
            AGENT: agent,
        }
        if input is not None and self.capture_content:
            attributes["gen_ai.input.messages"] = self.scrub(input())
        return self._span(f"chat {model}", SpanKind.CLIENT, attributes, agent, run_id)

    def execute_tool(
        self, *, agent: str, run_id: str, tool: str, call_id: str, arguments: Content | None = None
    ) -> AbstractContextManager[_Span]:
        """`execute_tool <tool>`."""
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": tool,
            "gen_ai.tool.call.id": call_id,
            "gen_ai.tool.type": "function",
            "gen_ai.agent.name": agent,
            RUN_ID: run_id,
            AGENT: agent,
        }
        if arguments is not None and self.capture_content:
            attributes["gen_ai.tool.call.arguments"] = self.scrub(arguments())
        return self._span(f"execute_tool {tool}", SpanKind.INTERNAL, attributes, agent, run_id)

    def current_traceparent(self) -> str | None:
        """The active span's W3C trace context, or None."""
        context = trace.get_current_span().get_span_context()
        if not context.is_valid:
            return None
        return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"

    def flush(self) -> None:
        """Force-flush the span processors and metric readers."""
        for provider in (self._provider, self._meter_provider):
            force_flush = getattr(provider, "force_flush", None)
            if force_flush is not None:
                force_flush()

    @contextmanager
    def _span(
        self,
        name: str,
        kind: SpanKind,
        attributes: dict[str, Any],
        agent: str,
        run_id: str | None,
        parent: otel_context.Context | None = None,
        root: bool = False,
        queue: str | None = None,
    ) -> Iterator[_Span]:
        links: list[Link] = []
        if parent is not None:
            # Continuing a producer's trace (or starting the run's): the invocation context the host attached, if
            # any, becomes a link rather than the parent, so one run stays one trace.
            ambient = trace.get_current_span().get_span_context()
            if ambient.is_valid:
                links.append(Link(ambient))
        clean = {k: self.scrub(v) if isinstance(v, str) else v for k, v in attributes.items()}
        if root and run_id:
            with seeded_trace(int(trace_id_for(run_id), 16)):
                span = self._tracer.start_span(name, parent, kind, clean, links)
        else:
            span = self._tracer.start_span(name, parent, kind, clean, links)
        handle = _Span(self, span, agent=agent, run_id=run_id)
        requested = attributes.get("gen_ai.request.model")
        handle.request_model = requested if isinstance(requested, str) and requested else None
        started = time.perf_counter()
        try:
            with trace.use_span(span, end_on_exit=False, record_exception=False, set_status_on_exception=False):
                yield handle
        except BaseException as error:
            handle.error(error)
            if kind is SpanKind.CONSUMER:
                handle.settlement, handle.outcome = "abandon", "error"
            raise
        finally:
            span.end()
            if kind is SpanKind.CONSUMER:
                self.instruments.processed(
                    agent,
                    queue or agent,
                    outcome=handle.outcome,
                    settlement=handle.settlement,
                    error_type=handle.failed,
                    seconds=time.perf_counter() - started,
                )


def _new_trace() -> otel_context.Context:
    """An empty context: the span started in it is a root (its trace id seeded from the run id)."""
    return otel_context.Context()
