"""The reviewer: approves the report or says what to change (a structured verdict)."""

from __future__ import annotations

from agents.messages import Review
from switchboard.agentchat import AssistantAgent, BufferedModelContext
from switchboard.memory import Memory
from switchboard.models.protocol import ModelClient

SYSTEM = (
    "You review the writer's latest report against the task. Reply with JSON: verdict APPROVE if it answers "
    "the task correctly and clearly, otherwise REVISE, and one or two sentences of comments."
)


def make_reviewer(model_client: ModelClient, archive: Memory | None = None) -> AssistantAgent:
    """Build the reviewer agent; with `archive`, an approved report is stored there (`ArchivingReviewer`)."""
    from agents.report_memory import ArchivingReviewer

    kind: type[AssistantAgent] = AssistantAgent if archive is None else ArchivingReviewer
    reviewer = kind(
        "reviewer",
        model_client=model_client,
        description="Approves the report or asks for a revision.",
        system_message=SYSTEM,
        output_type=Review,
        render=Review.render,
        model_context=BufferedModelContext(6),
        max_tokens=120,
    )
    if isinstance(reviewer, ArchivingReviewer):
        reviewer.archive = archive
    return reviewer
