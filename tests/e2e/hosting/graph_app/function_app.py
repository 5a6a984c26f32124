"""A Function App for the GraphFlow, Magentic-One and nested-team tests through real processes.

`fanout`: `lead` fans out to `left` and `right`, `judge` joins both. Each branch is its own agent, so its own function
on its own Service Bus queue: the host handles both branch turns at the same time, and the manager joins their
answers. `review`: a Magentic-One orchestrator over a `writer` and a nested GraphFlow team `panel` (pro and con in
parallel, then merge).
"""

from __future__ import annotations

from switchboard.agentchat import AssistantAgent
from switchboard.functions.app_builder import build_function_app
from switchboard.functions.entities import entities_for
from switchboard.models.protocol import ModelClient
from switchboard.teams import DiGraphBuilder, GraphFlow, MagenticOneGroupChat
from switchboard.teams.spec import TeamSpec


def fan_out_flow(model_client: ModelClient) -> GraphFlow:
    """lead -> (left, right) -> judge (an `all` join)."""
    lead, left, right, judge = (
        AssistantAgent(n, model_client=model_client) for n in ("lead", "left", "right", "judge")
    )
    builder = DiGraphBuilder().add_node(lead).add_node(left).add_node(right).add_node(judge)
    builder.add_edge(lead, left).add_edge(lead, right).add_edge(left, judge).add_edge(right, judge)
    return GraphFlow(builder.get_participants(), graph=builder.build(), name="fanout")


def review_team(model_client: ModelClient) -> MagenticOneGroupChat:
    """A Magentic-One orchestrator `review` over `writer` and the nested GraphFlow team `panel`."""
    pro, con, merge, writer = (
        AssistantAgent(name, model_client=model_client, description=f"the {name}")
        for name in ("pro", "con", "merge", "writer")
    )
    builder = DiGraphBuilder().add_node(pro).add_node(con).add_node(merge)
    builder.add_edge(pro, merge).add_edge(con, merge)
    panel = GraphFlow(builder.get_participants(), graph=builder.build(), name="panel")
    return MagenticOneGroupChat([panel, writer], model_client, name="review")


TEAMS = {
    "fanout": TeamSpec(name="fanout", description="parallel graph", build=fan_out_flow, report_author="judge"),
    "review": TeamSpec(
        name="review", description="Magentic-One over a team", build=review_team, report_author="review"
    ),
}

app = build_function_app(TEAMS, entities_for(TEAMS))
