"""`RunTraceIdGenerator`: root spans of a run get the run's trace id (`trace_id_for(run_id)`), others random ids."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from opentelemetry.sdk.trace.id_generator import RandomIdGenerator

_SEED: ContextVar[int | None] = ContextVar("switchboard_trace_seed", default=None)


class RunTraceIdGenerator(RandomIdGenerator):
    """Random span ids; a trace id from `seeded_trace` when one is in effect, else random."""

    def generate_trace_id(self) -> int:
        """The seeded trace id, else a random one."""
        seed = _SEED.get()
        return seed if seed else super().generate_trace_id()


@contextmanager
def seeded_trace(trace_id: int) -> Iterator[None]:
    """Within the block, a new root span (of a provider using `RunTraceIdGenerator`) gets `trace_id`."""
    token = _SEED.set(trace_id)
    try:
        yield
    finally:
        _SEED.reset(token)
