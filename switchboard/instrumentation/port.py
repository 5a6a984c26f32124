"""The core's instrumentation port: what a runtime reports while it works, free of any telemetry SDK.

Both runtimes (in-process and hosted) and the agents call these methods; `switchboard.telemetry` implements them
with OpenTelemetry (spans, metrics, exporters), and `NoTelemetry` — the default — does nothing, cheaply. The port is
semantic (a message is being sent, processed, an agent invoked, a model or a tool called) so the conventions
(span names, attribute names, metrics, cost, scrubbing) live in one place, the implementation.

Every context manager records an exception that escapes it (its type only, never its message) and re-raises it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

AttributeValue = str | bool | int | float
Content = Callable[[], str]
"""Message text, rendered only when content capture is opted in (so it costs nothing otherwise)."""


class Span(Protocol):
    """A unit of work being observed."""

    @property
    def traceparent(self) -> str | None:
        """This span's W3C trace context (to stamp on what it sends), or None when nothing is traced."""
        ...

    def set(self, key: str, value: AttributeValue) -> None:
        """Add an attribute (scrubbed of secrets by the implementation)."""
        ...

    def fail(self, error_type: str) -> None:
        """Mark the work failed without an exception in hand (a caught error, a refused message)."""
        ...


class ProcessSpan(Span, Protocol):
    """The processing of one received message."""

    def settled(self, kind: str, outcome: str, error_type: str | None = None) -> None:
        """Say how the message was settled (`complete`/`abandon`/`dead_letter`), what happened, and why it failed."""
        ...


class ChatSpan(Span, Protocol):
    """One model call."""

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
        """Record the reply: model, token usage, finish reason, and (when opted in) its text.

        `request_model` names the model asked for when it was not known as the call started (a client that resolves
        its endpoint lazily). `price` (USD per million input and output tokens) is the calling client's configured
        price, which the cost uses instead of the price list (a model per agent may have its own).
        """
        ...


class Telemetry(Protocol):
    """Starts the spans of the conventions; each method returns a context manager around the work."""

    def send(
        self, *, queue: str, run_id: str, agent: str | None, message_ids: Sequence[str], new_trace: bool = False
    ) -> AbstractContextManager[Span]:
        """Sending messages to `queue` (PRODUCER); `new_trace` starts the run's trace (a client submitting it)."""
        ...

    def process(
        self,
        *,
        queue: str,
        agent: str,
        run_id: str | None,
        message_id: str,
        delivery_count: int,
        traceparent: str | None,
    ) -> AbstractContextManager[ProcessSpan]:
        """Processing a message received from `queue` (CONSUMER), continuing the trace of its producer."""
        ...

    def invoke_agent(self, *, agent: str, run_id: str) -> AbstractContextManager[Span]:
        """Running an agent's handler on one message."""
        ...

    def chat(
        self, *, agent: str, run_id: str, model: str, input: Content | None = None
    ) -> AbstractContextManager[ChatSpan]:
        """Calling a chat model (made only for real calls: a step replayed from the journal makes none)."""
        ...

    def execute_tool(
        self, *, agent: str, run_id: str, tool: str, call_id: str, arguments: Content | None = None
    ) -> AbstractContextManager[Span]:
        """Running a tool the model asked for (likewise only for real calls)."""
        ...

    def current_traceparent(self) -> str | None:
        """The trace context of the innermost active span, or None."""
        ...

    def flush(self) -> None:
        """Export whatever is buffered (before a process exits)."""
        ...


class _NoSpan:
    """A span that records nothing."""

    traceparent: str | None = None

    def set(self, key: str, value: AttributeValue) -> None:
        """Ignore the attribute."""

    def fail(self, error_type: str) -> None:
        """Ignore the failure."""

    def settled(self, kind: str, outcome: str, error_type: str | None = None) -> None:
        """Ignore the settlement."""

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
        """Ignore the reply."""


_NO_SPAN = _NoSpan()


@contextmanager
def _nothing() -> Iterator[_NoSpan]:
    yield _NO_SPAN


class NoTelemetry:
    """The default: observes nothing (the core never depends on telemetry being configured)."""

    def send(
        self, *, queue: str, run_id: str, agent: str | None, message_ids: Sequence[str], new_trace: bool = False
    ) -> AbstractContextManager[Span]:
        """No span."""
        return _nothing()

    def process(
        self,
        *,
        queue: str,
        agent: str,
        run_id: str | None,
        message_id: str,
        delivery_count: int,
        traceparent: str | None,
    ) -> AbstractContextManager[ProcessSpan]:
        """No span."""
        return _nothing()

    def invoke_agent(self, *, agent: str, run_id: str) -> AbstractContextManager[Span]:
        """No span."""
        return _nothing()

    def chat(
        self, *, agent: str, run_id: str, model: str, input: Content | None = None
    ) -> AbstractContextManager[ChatSpan]:
        """No span."""
        return _nothing()

    def execute_tool(
        self, *, agent: str, run_id: str, tool: str, call_id: str, arguments: Content | None = None
    ) -> AbstractContextManager[Span]:
        """No span."""
        return _nothing()

    def current_traceparent(self) -> str | None:
        """Nothing is traced."""
        return None

    def flush(self) -> None:
        """Nothing to export."""
