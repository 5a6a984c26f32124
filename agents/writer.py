"""The writer: writes the report from the research, and revises it after review."""

from __future__ import annotations

from collections.abc import Sequence

from switchboard.agentchat import AssistantAgent, BufferedModelContext
from switchboard.memory import Memory
from switchboard.models.protocol import ModelClient

SYSTEM = (
    "You write a short technical report (at most 150 words) that answers the task using the researcher's "
    "facts. If the reviewer asked for changes, rewrite the report to address them."
)


def make_writer(model_client: ModelClient, memory: Sequence[Memory] = ()) -> AssistantAgent:
    """Build the writer agent; with `memory` it recalls earlier reports and cites them."""
    from agents.report_memory import CITE_EARLIER

    return AssistantAgent(
        "writer",
        model_client=model_client,
        description="Writes and revises the report.",
        system_message=SYSTEM + (CITE_EARLIER if memory else ""),
        memory=memory,
        model_context=BufferedModelContext(8),
        max_tokens=220,
    )
