"""A Function App for the large-output test: answers and a tool output far past one Service Bus message.

`bigteam` is a three-agent round robin whose scripted answers are 150 KB each (the script is written by the test);
`toolteam` has one agent whose tool returns 1.5 MB, ending its turn with that output as the tool summary.
"""

from __future__ import annotations

from switchboard.agentchat import AssistantAgent
from switchboard.functions.app_builder import build_function_app
from switchboard.functions.entities import entities_for
from switchboard.models.protocol import ModelClient
from switchboard.teams import RoundRobinGroupChat
from switchboard.teams.spec import TeamSpec
from switchboard.termination import MaxMessageTermination
from switchboard.tools import FunctionTool

SPEAKERS = ("alpha", "beta", "gamma")
"""The round robin's agents, in speaking order."""

TOOL_OUTPUT_BYTES = 1_500_000
"""What the tool returns: past Cosmos's 2 MB batch together with the state that holds it, and far past 256 KB."""


def export_table(name: str) -> str:
    """Export a table as text.

    Args:
        name: The table's name.
    """
    line = f"{name}|row|" + "x" * 88 + "\n"  # 100 characters a line
    return line * (TOOL_OUTPUT_BYTES // len(line))


def big_team(model_client: ModelClient) -> RoundRobinGroupChat:
    """Three agents, one turn each."""
    agents = [AssistantAgent(name, model_client=model_client) for name in SPEAKERS]
    return RoundRobinGroupChat(agents, termination=MaxMessageTermination(1 + len(SPEAKERS)), name="bigteam")


def tool_team(model_client: ModelClient) -> RoundRobinGroupChat:
    """One agent that calls the exporting tool once; its turn ends with the tool's output as the summary."""
    exporter = AssistantAgent(
        "exporter",
        model_client=model_client,
        tools=[FunctionTool(export_table)],
        max_tool_iterations=1,
        reflect_on_tool_use=False,
    )
    return RoundRobinGroupChat([exporter], termination=MaxMessageTermination(2), name="toolteam")


TEAMS = {
    "bigteam": TeamSpec(name="bigteam", description="150 KB answers", build=big_team, report_author="gamma"),
    "toolteam": TeamSpec(
        name="toolteam", description="a 1.5 MB tool output", build=tool_team, report_author="exporter"
    ),
}

app = build_function_app(TEAMS, entities_for(TEAMS))
