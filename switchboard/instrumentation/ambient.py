"""Which `Telemetry` the code running now reports to, and the run's trace identity.

A process installs one implementation at start-up (`install`, done by `switchboard.telemetry.configure_telemetry`);
a runtime given its own (tests, an embedding application) scopes it to its work with `use`. Code deep in a handler
(an assistant's model call) asks `current()`, so nothing has to thread a telemetry object through the agents.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from switchboard.instrumentation.port import NoTelemetry, Telemetry

_NONE = NoTelemetry()
_installed: Telemetry = _NONE
_scoped: ContextVar[Telemetry | None] = ContextVar("switchboard_telemetry", default=None)


def install(telemetry: Telemetry | None) -> None:
    """Make `telemetry` the process's default (None restores the no-op)."""
    global _installed
    _installed = telemetry or _NONE


def current() -> Telemetry:
    """The telemetry in scope here, else the installed one, else the no-op."""
    return _scoped.get() or _installed


@contextmanager
def use(telemetry: Telemetry | None) -> Iterator[Telemetry]:
    """Report to `telemetry` inside the block (None keeps whatever is in scope)."""
    if telemetry is None:
        yield current()
        return
    token = _scoped.set(telemetry)
    try:
        yield telemetry
    finally:
        _scoped.reset(token)


def flush() -> None:
    """Export what the installed telemetry buffers (a host calls it before it exits)."""
    _installed.flush()


def trace_id_for(run_id: str) -> str:
    """The run's trace id (32 hex digits): the run id's own 128 bits when it is a UUID, else a hash of it.

    Derived, not random, so every process that starts the run's trace (the HTTP submit, the ingress, a redelivered
    ingress message that carried no trace context) starts the same one, and the run document can name it up front.
    """
    try:
        return uuid.UUID(run_id).hex
    except ValueError:
        return hashlib.sha256(run_id.encode()).hexdigest()[:32]


def message_traceparent(properties: Mapping[str, str]) -> str | None:
    """The producer's trace context in a message's application properties (`traceparent`, else `Diagnostic-Id`)."""
    by_name = {name.lower(): value for name, value in properties.items()}
    for name in ("traceparent", "diagnostic-id"):
        value = by_name.get(name)
        if value and value.startswith("00-"):
            return value
    return None
