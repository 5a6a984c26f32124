"""The benchmark's Function App: two relay teams (10 and 100 turns) of two model-backed agents, no tools.

Each turn is one model call, so a run of N turns is 2N+1 Service Bus hops (ingress, then manager ↔ agent).
"""

from __future__ import annotations

from switchboard.agentchat import AssistantAgent, BufferedModelContext
from switchboard.functions.app_builder import build_function_app
from switchboard.functions.entities import entities_for
from switchboard.models.protocol import ModelClient
from switchboard.teams import RoundRobinGroupChat
from switchboard.teams.spec import TeamSpec
from switchboard.termination import MaxMessageTermination

RUN_LENGTHS = (10, 100)


def relay_team(turns: int) -> TeamSpec:
    """A team named `relay<turns>` whose two agents alternate for `turns` turns."""

    def build(model_client: ModelClient) -> RoundRobinGroupChat:
        agents = [
            AssistantAgent(f"{side}{turns}", model_client=model_client, model_context=BufferedModelContext(4))
            for side in ("ping", "pong")
        ]
        return RoundRobinGroupChat(agents, termination=MaxMessageTermination(1 + turns), name=f"relay{turns}")

    return TeamSpec(name=f"relay{turns}", description=f"{turns} relay turns", build=build, report_author=f"pong{turns}")


TEAMS = {spec.name: spec for spec in (relay_team(n) for n in RUN_LENGTHS)}

app = build_function_app(TEAMS, entities_for(TEAMS))
