"""`POST /api/runs` at the door: size, nesting and key checks, idempotent submit, and a status code for each fault.

    202 {"run_id", "status_url"}   queued (a retry with the same Idempotency-Key answers 202 again with the same
                                   body and the header `Idempotent-Replayed: true`)
    400 {"error"}                  not JSON, nested deeper than 16 levels, no task, unknown team, malformed key
    413 {"error"}                  a body over 1 MiB, or a task over 128 KiB (one Service Bus message)
    422 {"error"}                  the Idempotency-Key was used for another task or team
    503 {"error"} + Retry-After    Cosmos or Service Bus could not take the run now; nothing was left behind

No error quotes more than a short prefix of what was sent, and every refusal happens before anything is stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from switchboard.errors import SwitchboardError
from switchboard.functions.runtime import HostedRuntime, RunRequestError
from switchboard.hosting.ingress_rules import (
    InvalidRequestError,
    InvalidRunIdError,
    RequestTooLargeError,
    check_run_id,
    read_json_body,
)
from switchboard.hosting.submission import IdempotencyConflictError, SubmitUnavailableError
from switchboard.hosting.task_request import TaskTooLargeError

logger = logging.getLogger("switchboard.functions")

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


@dataclass(frozen=True)
class Reply:
    """An HTTP answer, SDK-free (`http_api` turns it into an `azure.functions.HttpResponse`)."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


async def create_run(raw: bytes, url: str, key: str | None, runtime: HostedRuntime) -> Reply:
    """Answer `POST /api/runs` (see the module docstring for every status).

    Args:
        raw: The request body.
        url: The request URL (the status URL is built next to it).
        key: The `Idempotency-Key` header, if sent.
        runtime: The app's runtime.
    """
    try:
        body = read_json_body(raw)
        submitted = await runtime.submit(body, idempotency_key=key)
    except (RequestTooLargeError, TaskTooLargeError) as error:
        return Reply(413, {"error": error.reason})
    except (InvalidRequestError, RunRequestError) as error:
        return Reply(400, {"error": error.reason})
    except IdempotencyConflictError as error:
        return Reply(422, {"error": error.reason})
    except SubmitUnavailableError as error:
        return Reply(503, {"error": error.reason}, {"Retry-After": str(error.retry_after)})
    except SwitchboardError as error:
        # A deployment fault (a missing queue, no rights): the log has the reason, the caller the kind.
        logger.error("POST /api/runs could not queue the run: %s", error.reason)
        return Reply(500, {"error": f"the run could not be queued: {type(error).__name__}"})
    headers = {REPLAYED_HEADER: "true"} if submitted.replayed else {}
    body_out = {"run_id": submitted.run_id, "status_url": status_url(url, submitted.run_id)}
    return Reply(202, body_out, headers)


def run_id_problem(run_id: str) -> Reply | None:
    """A 400 answer for a malformed run id in a route (`/api/runs/{run_id}/...`), else None."""
    try:
        check_run_id(run_id)
    except InvalidRunIdError as error:
        return Reply(400, {"error": error.reason})
    return None


def status_url(request_url: str, run_id: str) -> str:
    """The run's `GET /api/runs/{id}` URL, next to the URL it was submitted to."""
    base = request_url.split("?", 1)[0].rstrip("/")
    return f"{base}/{run_id}"
