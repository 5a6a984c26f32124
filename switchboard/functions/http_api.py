"""The HTTP API of the Function App (docs/hosting.md, "HTTP API"), function-level auth except the health probe.

    POST /api/runs             {"task", "team"?}  -> 202 {"run_id", "status_url"} (`Idempotency-Key` header; 400,
                                                  413, 422, 503: see switchboard/functions/http_submit.py)
    GET  /api/runs/{run_id}                       -> 200 the run with `transcript` and `usage` (404 unknown)
    POST /api/runs/{run_id}/cancel                -> 202 {"run_id", "status"} (404 unknown, 409 already ended)
    POST /api/runs/{run_id}/input  {"input"} | {"approve"}, "request_id"?  -> 202 {"run_id", "request_id"} (400 body
                                                  or which of several questions unsaid, 404, 409 not waiting for
                                                  input or the request id is not an open question)
    GET  /api/health                              -> 200 {"status": "ok", "switchboard": version}

Bad requests get a 4xx with a JSON `{"error": ...}` message; nothing is queued for them. A run id in a route must
be a valid run id (`switchboard/hosting/ingress_rules.py`), else 400.
"""

from __future__ import annotations

import json
from typing import Any

import azure.functions as func

import switchboard
from switchboard.functions.http_submit import IDEMPOTENCY_HEADER, Reply, create_run, run_id_problem
from switchboard.functions.runtime import HostedRuntime, RunNotFoundError, RunRequestError
from switchboard.hosting.ingress_rules import InvalidRequestError, RequestTooLargeError, read_json_body
from switchboard.hosting.input_reply import InputReplyError, NotAwaitingInputError

_JSON = "application/json"


def register_http_api(app: func.FunctionApp, runtime: HostedRuntime) -> None:
    """Add the run API and the health probe to `app`."""

    @app.function_name("runs_create")
    @app.route(route="runs", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
    async def runs_create(req: func.HttpRequest) -> func.HttpResponse:
        return _reply(await create_run(req.get_body(), req.url, req.headers.get(IDEMPOTENCY_HEADER), runtime))

    @app.function_name("runs_get")
    @app.route(route="runs/{run_id}", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
    async def runs_get(req: func.HttpRequest) -> func.HttpResponse:
        run_id = req.route_params.get("run_id", "")
        if (problem := run_id_problem(run_id)) is not None:
            return _reply(problem)
        try:
            view = await runtime.run_view(run_id)
        except RunNotFoundError as error:
            return _error(404, error.reason)
        return _json(200, view)

    @app.function_name("runs_cancel")
    @app.route(route="runs/{run_id}/cancel", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
    async def runs_cancel(req: func.HttpRequest) -> func.HttpResponse:
        run_id = req.route_params.get("run_id", "")
        if (problem := run_id_problem(run_id)) is not None:
            return _reply(problem)
        try:
            status = await runtime.cancel(run_id)
        except RunNotFoundError as error:
            return _error(404, error.reason)
        except RunRequestError as error:
            return _error(409, error.reason)
        return _json(202, {"run_id": run_id, "status": status})

    @app.function_name("runs_input")
    @app.route(route="runs/{run_id}/input", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
    async def runs_input(req: func.HttpRequest) -> func.HttpResponse:
        run_id = req.route_params.get("run_id", "")
        if (problem := run_id_problem(run_id)) is not None:
            return _reply(problem)
        try:
            body = read_json_body(req.get_body())
        except RequestTooLargeError as error:
            return _error(413, error.reason)
        except InvalidRequestError:
            return _error(400, 'the body must be JSON: {"input": "..."} or {"approve": true|false}')
        try:
            answered = await runtime.reply(run_id, body)
        except RunNotFoundError as error:
            return _error(404, error.reason)
        except NotAwaitingInputError as error:
            return _error(409, error.reason)
        except InputReplyError as error:
            return _error(400, error.reason)
        return _json(202, {"run_id": run_id, "request_id": answered.get("request_id")})

    @app.function_name("health")
    @app.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
    def health(req: func.HttpRequest) -> func.HttpResponse:
        """Report that the app is up, with the framework version (no secrets, no dependencies probed)."""
        return _json(200, {"status": "ok", "switchboard": switchboard.__version__})


def _json(status: int, body: Any) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(body, default=str), status_code=status, mimetype=_JSON)


def _reply(reply: Reply) -> func.HttpResponse:
    return func.HttpResponse(
        json.dumps(reply.body, default=str), status_code=reply.status, mimetype=_JSON, headers=reply.headers
    )


def _error(status: int, message: str) -> func.HttpResponse:
    return _json(status, {"error": message})
