"""The run document: one item per run (id = run id), the shape every run store writes when a run is created."""

from __future__ import annotations

from typing import Any

from switchboard.hosting.run_status import RunStatus
from switchboard.instrumentation import trace_id_for


def new_run_document(run_id: str, *, task: str, team: str | None, now: str) -> dict[str, Any]:
    """A new run document, `queued` (docs/hosting.md's run document fields, plus usage and the trace id).

    Args:
        run_id: The run's id (also the document id and the partition key).
        task: What the team is asked to do.
        team: The team's name.
        now: The creation time (ISO 8601), used for `created_at` and `updated_at`.
    """
    return {
        "id": run_id,
        "run_id": run_id,
        "type": "run",
        "status": RunStatus.QUEUED,
        "team": team,
        "task": task,
        "stop_reason": None,
        "error": None,
        "created_at": now,
        "updated_at": now,
        "usage": {},
        # Open questions by request id: each hop sets or removes only its own key (see open_questions).
        "pending_inputs": {},
        # The run's trace in Application Insights / OTLP (derived from the run id, so known before any span).
        "trace_id": trace_id_for(run_id),
    }
