"""A Function App for the Swarm end-to-end test: handoffs as tool calls between two assistants, then to the user.

`triage` hands over to `billing`, which looks the order up with a tool, answers, and hands back; `triage` hands
over to the user, and `HandoffTermination("user")` ends the run. Each handoff is a `transfer_to_<target>` tool call
of the speaker's own turn, in its own function; the manager only follows the `handoff` entries.
"""

from __future__ import annotations

from switchboard.agentchat import AssistantAgent
from switchboard.functions.app_builder import build_function_app
from switchboard.functions.entities import entities_for
from switchboard.models.protocol import ModelClient
from switchboard.teams import Swarm
from switchboard.teams.spec import TeamSpec
from switchboard.termination import HandoffTermination, MaxMessageTermination
from switchboard.tools import FunctionTool

TEAM = "desk"


def refund_status(order: str) -> str:
    """Tell where the refund of an order stands.

    Args:
        order: The order number.
    """
    return f"refund for {order}: sent Monday"


def swarm_team(model_client: ModelClient) -> Swarm:
    """Triage and billing hand the conversation to each other; a handoff to the user ends the run."""
    triage = AssistantAgent("triage", model_client=model_client, handoffs=["billing", "user"])
    billing = AssistantAgent(
        "billing", model_client=model_client, tools=[FunctionTool(refund_status)], handoffs=["triage"]
    )
    return Swarm([triage, billing], termination=HandoffTermination("user") | MaxMessageTermination(10), name=TEAM)


TEAMS = {TEAM: TeamSpec(name=TEAM, description="swarm e2e", build=swarm_team, report_author="billing")}

app = build_function_app(TEAMS, entities_for(TEAMS))
