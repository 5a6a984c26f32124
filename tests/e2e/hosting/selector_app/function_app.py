"""A Function App for the SelectorGroupChat end-to-end test: a model-chosen speaker among three assistants.

The selector's model calls are the manager's own checkpointed steps: they run inside the manager's function and
are counted in the run's usage under the team's name.
"""

from __future__ import annotations

from switchboard.agentchat import AssistantAgent
from switchboard.functions.app_builder import build_function_app
from switchboard.functions.entities import entities_for
from switchboard.models.protocol import ModelClient
from switchboard.teams import SelectorGroupChat
from switchboard.teams.spec import TeamSpec
from switchboard.termination import MaxMessageTermination, TextMentionTermination, TokenUsageTermination

TEAM = "selteam"


def selector_team(model_client: ModelClient) -> SelectorGroupChat:
    """A planner, a coder and a reviewer; the model picks who speaks; the reviewer's APPROVE ends the run."""
    participants = [
        AssistantAgent("planner", model_client=model_client, description="Plans the work."),
        AssistantAgent("coder", model_client=model_client, description="Writes the code."),
        AssistantAgent("reviewer", model_client=model_client, description="Reviews and approves."),
    ]
    return SelectorGroupChat(
        participants,
        model_client,
        termination=TextMentionTermination("APPROVE", sources=["reviewer"])
        | MaxMessageTermination(12)
        | TokenUsageTermination(max_total_token=100_000),
        name=TEAM,
    )


TEAMS = {TEAM: TeamSpec(name=TEAM, description="selector e2e", build=selector_team, report_author="reviewer")}

app = build_function_app(TEAMS, entities_for(TEAMS))
