"""The HTTP API's read-mostly routes for tools such as Switchboard Studio (docs/hosting.md, "HTTP API"), function auth.

    GET  /api/runs?status=S&limit=N                       -> 200 {"runs": [run document fields, newest first]}
    GET  /api/teams                                       -> 200 {"teams": [{name, kind, manager, agents, edges}]}
    GET  /api/deadletters                                 -> 200 {"letters": [dead letters of every queue]}
    GET  /api/deadletters/{queue}/{message_id}            -> 200 the dead letter (404 none)
    POST /api/deadletters/{queue}/{message_id}/replay     -> 202 {"replayed": [ids]} (404 none)

Service Bus errors answer 503 with their reason (the SDK's own words, never a credential).
A tool reads runs, teams and dead letters here rather than from Cosmos DB or Service Bus, so it needs only the
app's URL and a function key (or an Entra ID token), never the stores' credentials.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection
from typing import Any

import azure.functions as func

from switchboard.errors import SwitchboardError
from switchboard.functions.runtime import HostedRuntime
from switchboard.functions.team_shapes import team_shape
from switchboard.hosting.ingress_rules import preview
from switchboard.hosting.run_status import RunStatus
from switchboard.hosting.settings import HostingSettings
from switchboard.transport import DeadLetters, service_bus_client

MAX_RUNS = 200
"""The most runs one `GET /api/runs` returns."""


class _LetterReader:
    """The process's dead-letter reader, on one Service Bus client opened on first use."""

    def __init__(self, settings: HostingSettings | None) -> None:
        self._settings = settings
        self._letters: DeadLetters | None = None
        self._lock = asyncio.Lock()

    async def letters(self) -> DeadLetters:
        async with self._lock:
            if self._letters is None:
                client = service_bus_client(self._settings or HostingSettings())
                self._letters = DeadLetters(client, wait_seconds=0.5)
        return self._letters


def register_admin_api(app: func.FunctionApp, runtime: HostedRuntime, queues: Collection[str]) -> None:
    """Add the runs list, the teams and the dead-letter routes to `app`.

    Args:
        app: The Function App.
        runtime: The process's runtime (its store and teams).
        queues: Every queue of the deployment whose dead letters are listed (agents' queues and `tasks`).
    """
    reader = _LetterReader(None)
    known_queues = sorted(set(queues))

    @app.function_name("runs_list")
    @app.route(route="runs", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
    async def runs_list(req: func.HttpRequest) -> func.HttpResponse:
        status = req.params.get("status") or None
        if status is not None and status not in {s.value for s in RunStatus}:
            return _error(400, f"unknown status {preview(status)}: one of {', '.join(s.value for s in RunStatus)}")
        try:
            limit = int(req.params.get("limit") or 50)
        except ValueError:
            return _error(400, "limit must be a whole number")
        if not 1 <= limit <= MAX_RUNS:
            return _error(400, f"limit must be between 1 and {MAX_RUNS}")
        runs = await (await runtime.store()).list_runs(limit=limit, status=status)
        return _json(200, {"runs": runs})

    @app.function_name("teams_list")
    @app.route(route="teams", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
    async def teams_list(req: func.HttpRequest) -> func.HttpResponse:
        shapes = [team_shape(spec, runtime.built_teams[name]) for name, spec in runtime.teams.items()]
        return _json(200, {"teams": shapes, "default": runtime.default_team})

    @app.function_name("deadletters_list")
    @app.route(route="deadletters", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
    async def deadletters_list(req: func.HttpRequest) -> func.HttpResponse:
        try:
            letters = await reader.letters()
            # One peek per queue, all at once: each opens a receiver link, and a deployment has a queue per agent.
            peeked = await asyncio.gather(*(letters.peek(queue, limit=100) for queue in known_queues))
        except SwitchboardError as error:
            return _error(503, error.reason)
        found = [letter.to_json() for batch in peeked for letter in batch]
        return _json(200, {"letters": found})

    @app.function_name("deadletters_show")
    @app.route(route="deadletters/{queue}/{message_id}", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
    async def deadletters_show(req: func.HttpRequest) -> func.HttpResponse:
        queue, message_id = req.route_params.get("queue", ""), req.route_params.get("message_id", "")
        if queue not in known_queues:
            return _error(404, f"no queue {preview(queue)}")
        try:
            letter = await (await reader.letters()).show(queue, message_id)
        except SwitchboardError as error:
            return _error(503, error.reason)
        if letter is None:
            return _error(404, f"no dead letter {preview(message_id)} in {preview(queue)}")
        return _json(200, letter.to_json())

    @app.function_name("deadletters_replay")
    @app.route(route="deadletters/{queue}/{message_id}/replay", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
    async def deadletters_replay(req: func.HttpRequest) -> func.HttpResponse:
        queue, message_id = req.route_params.get("queue", ""), req.route_params.get("message_id", "")
        if queue not in known_queues:
            return _error(404, f"no queue {preview(queue)}")
        try:
            replayed = await (await reader.letters()).replay(queue, [message_id])
        except SwitchboardError as error:
            return _error(503, error.reason)
        if not replayed:
            return _error(404, f"no dead letter {preview(message_id)} in {preview(queue)}")
        return _json(202, {"replayed": replayed})


def _json(status: int, body: Any) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(body, default=str), status_code=status, mimetype="application/json")


def _error(status: int, message: str) -> func.HttpResponse:
    return _json(status, {"error": message})
