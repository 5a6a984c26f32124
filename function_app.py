"""The Azure Functions app. Composition only: the deployment's teams, wired to triggers by the hosting layer.

`func start` (Core Tools), the Azure Functions Python worker and `switchboard host` load this module and index
`app`: one Service Bus–triggered function per agent and per team manager (`agent_<name>` on the queue named after
the agent, sessions on, SessionId = run id), the `ingress` function on the `tasks` queue, and the HTTP API
(`/api/runs`, `/api/runs/{id}`, `/api/runs/{id}/cancel`, `/api/runs/{id}/input`,
`/api/health`).
"""

from __future__ import annotations

from agents.registry import TEAMS
from switchboard.functions.app_builder import build_function_app
from switchboard.functions.entities import entities_for

app = build_function_app(TEAMS, entities_for(TEAMS))
