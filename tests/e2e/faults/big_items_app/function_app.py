"""A Function App for the big-items test: a collector whose tool returns 1.5 MB of logs, and a writer whose answers
are long, round robin. Both keep their whole conversation (an unbounded model context), so their states pass 2 MB,
and the writer's answers together pass 2 MB of transcript, while every Service Bus message stays small."""

from __future__ import annotations

from switchboard.agentchat import AssistantAgent, UnboundedModelContext
from switchboard.functions.app_builder import build_function_app
from switchboard.functions.entities import entities_for
from switchboard.models.protocol import ModelClient
from switchboard.teams import RoundRobinGroupChat
from switchboard.teams.spec import TeamSpec
from switchboard.termination import MaxMessageTermination
from switchboard.tools import FunctionTool

ROUNDS = 12
"""Collector and writer turns each: the run has 1 + 2 × ROUNDS entries."""

LOG_BYTES = 1_500_000
"""What one call of the tool returns."""


def fetch_logs(day: int) -> str:
    """Fetch the full service log of one day.

    Args:
        day: Which day (1 or 2).
    """
    line = f'day {day} 12:00:00 INFO request served in 12 ms "ok"\n'
    return (line * (LOG_BYTES // len(line) + 1))[:LOG_BYTES]


def big_team(model_client: ModelClient) -> RoundRobinGroupChat:
    """The collector (with the log tool) and the writer, round robin for `ROUNDS` rounds."""
    collector = AssistantAgent(
        "collector",
        model_client=model_client,
        tools=[FunctionTool(fetch_logs)],
        max_tool_iterations=1,
        model_context=UnboundedModelContext(),
    )
    writer = AssistantAgent("writer", model_client=model_client, model_context=UnboundedModelContext())
    return RoundRobinGroupChat([collector, writer], termination=MaxMessageTermination(1 + 2 * ROUNDS), name="bigteam")


TEAMS = {"bigteam": TeamSpec(name="bigteam", description="big items", build=big_team, report_author="writer")}

app = build_function_app(TEAMS, entities_for(TEAMS))
