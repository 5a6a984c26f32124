"""The researcher: searches the notes (always, through its tool) and summarises what it found."""

from __future__ import annotations

from agents.knowledge import search_notes
from switchboard.agentchat import AssistantAgent, BufferedModelContext
from switchboard.models.protocol import ModelClient
from switchboard.tools import FunctionTool

SYSTEM = (
    "You are a researcher. Search the notes for the plan's steps, then summarise the relevant facts "
    "in at most 4 short bullet points. Use only facts from the notes."
)


def make_researcher(model_client: ModelClient) -> AssistantAgent:
    """Build the researcher agent; its first model call is forced to call `search_notes`."""
    return AssistantAgent(
        "researcher",
        model_client=model_client,
        description="Looks facts up in the research notes.",
        system_message=SYSTEM,
        tools=[FunctionTool(search_notes, timeout=5.0)],
        tool_choice="search_notes",
        max_tool_iterations=1,
        model_context=BufferedModelContext(8),
        max_tokens=160,
    )
