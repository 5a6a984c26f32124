"""`POST /api/runs/{run_id}/resume` (function auth): re-drive a failed run (`switchboard.hosting.resume`).

202 {"run_id", "status": "running", "attempt", "resent": [{"agent", "message_id"}]}
400 the run id is malformed; 404 no such run; 409 resuming is not safe (the reason says why)
"""

from __future__ import annotations

import json
from typing import Any

import azure.functions as func

from switchboard.functions.runtime import HostedRuntime
from switchboard.hosting.ingress_rules import RUN_ID_PATTERN, preview
from switchboard.hosting.resume import (
    Redriver,
    ResumeRefusedError,
    ResumeResult,
    ResumeRunNotFoundError,
    resume_run,
)
from switchboard.state import CosmosRunPartition


class RedriveUnavailableError(ResumeRefusedError):
    """The process's publisher cannot re-send envelopes under fresh ids."""


async def resume_hosted_run(runtime: HostedRuntime, run_id: str) -> ResumeResult:
    """Resume `run_id` with the process's store and publisher and this deployment's teams and agents.

    Raises:
        ResumeRunNotFoundError: No such run.
        ResumeRefusedError: Resuming is not safe.
    """
    processor = await runtime.processor()
    publisher = processor.publisher
    if not isinstance(publisher, Redriver):
        raise RedriveUnavailableError("this host's publisher cannot re-send a run's messages")
    return await resume_run(
        run_id,
        partition=CosmosRunPartition((await runtime.store()).container),
        sender=publisher,
        events=publisher,
        managers=processor.teams,
        agents=set(runtime.router.agents),
        routes=runtime.router,
    )


def resume_body(result: ResumeResult) -> dict[str, Any]:
    """The JSON of a resumed run."""
    return {
        "run_id": result.run_id,
        "status": "running",
        "attempt": result.attempt,
        "resent": [{"agent": agent, "message_id": message_id} for agent, message_id in result.resent],
    }


def register_resume_api(app: func.FunctionApp, runtime: HostedRuntime) -> None:
    """Add `POST /api/runs/{run_id}/resume` to `app`."""

    @app.function_name("runs_resume")
    @app.route(route="runs/{run_id}/resume", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
    async def runs_resume(req: func.HttpRequest) -> func.HttpResponse:
        run_id = req.route_params.get("run_id", "")
        if not RUN_ID_PATTERN.fullmatch(run_id):
            return _json(400, {"error": f"malformed run id {preview(run_id)}"})
        try:
            result = await resume_hosted_run(runtime, run_id)
        except ResumeRunNotFoundError as error:
            return _json(404, {"error": error.reason})
        except ResumeRefusedError as error:
            return _json(409, {"error": error.reason})
        return _json(202, resume_body(result))


def _json(status: int, body: Any) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(body), status_code=status, mimetype="application/json")
