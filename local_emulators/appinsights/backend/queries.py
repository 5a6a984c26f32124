"""The questions the pages, the JSON API and `show` ask of the store."""

from __future__ import annotations

from typing import Any

from local_emulators.appinsights.backend.runs import RunView, build_run
from local_emulators.appinsights.backend.store import TelemetryStore
from local_emulators.appinsights.errors import RunNotFoundError


def find_run(store: TelemetryStore, run: str) -> RunView:
    """The run named by an operation id, a `switchboard.run_id` or an operation name.

    Raises:
        RunNotFoundError: Nothing stored belongs to it.
    """
    operations = store.operations_of_run(run)
    if not operations:
        raise RunNotFoundError(f"no telemetry for run {run!r}")
    return build_run(run, store.operation_items(operations, with_body=True))


def recent_runs(store: TelemetryStore, limit: int = 50) -> list[dict[str, Any]]:
    """Summaries of the most recently written operations, newest first (one row per operation)."""
    summaries = []
    for operation in store.recent_operations(limit):
        view = build_run(operation, store.operation_items([operation], with_body=False))
        if not view.span_count:
            continue
        summaries.append(
            {
                "run_id": view.run_id,
                "operation_id": operation,
                "start": view.start,
                "status": view.status,
                "duration_ms": view.duration_ms,
                "span_count": view.span_count,
                "input_tokens": view.input_tokens,
                "output_tokens": view.output_tokens,
                "cost_usd": view.cost_usd,
                "errors": view.errors,
                "agents": [a.agent for a in view.agents],
            }
        )
    return summaries
