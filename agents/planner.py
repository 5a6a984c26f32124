"""The planner: turns the task (and any review comments) into a few research steps."""

from __future__ import annotations

from agents.messages import Plan
from switchboard.agentchat import AssistantAgent, BufferedModelContext
from switchboard.models.protocol import ModelClient

SYSTEM = (
    "You plan research for a short technical report. Reply with JSON: 2 or 3 short research steps "
    "that answer the task. If a reviewer asked for changes, plan steps that address them."
)


def make_planner(model_client: ModelClient) -> AssistantAgent:
    """Build the planner agent."""
    return AssistantAgent(
        "planner",
        model_client=model_client,
        description="Breaks the task into research steps.",
        system_message=SYSTEM,
        output_type=Plan,
        render=Plan.render,
        model_context=BufferedModelContext(8),
        max_tokens=200,
    )
