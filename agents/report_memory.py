"""The research team's memory of its approved reports: recalled by the writer, stored when the reviewer approves.

Opt-in by settings: with `COSMOS_MEMORY_CONTAINER` set (and `COSMOS_MEMORY_ENDPOINT` or `COSMOS_ENDPOINT`), the
team keeps its reports in that container under the scope `team:research`, embedded by the configured embedding
model (the offline MiniLM model by default). Without it the team runs as before, remembering nothing.
"""

from __future__ import annotations

import logging
import os

from agents.messages import APPROVED
from switchboard.agent import AgentContext
from switchboard.agentchat import AssistantAgent, AssistantState
from switchboard.memory import Memory, MemoryContent, MemoryMimeType
from switchboard.models.chat import UserMessage
from switchboard.protocol.input_messages import InputProvided, InputTimedOut
from switchboard.protocol.messages import TurnCompleted, TurnRequested
from switchboard.protocol.transcript import TranscriptEntry

REPORT_SCOPE = "team:research"
RECALLED_REPORTS = 2
MIN_SIMILARITY = 0.3
"""Cosine similarity below which an earlier report is not worth showing to the writer."""
CITE_EARLIER = (
    " Earlier approved reports may be listed as relevant memory content: where one bears on the task, say what it "
    "concluded and cite it as (earlier report, <its date>)."
)

log = logging.getLogger(__name__)


def report_memory() -> Memory | None:
    """The reports memory the environment configures, or None (no `COSMOS_MEMORY_CONTAINER`, or no embedder)."""
    if not os.environ.get("COSMOS_MEMORY_CONTAINER"):
        return None
    from switchboard.memory.cosmos import CosmosMemoryConfig, CosmosVectorMemory
    from switchboard.memory.embeddings import EmbeddingSettings, embedding_client
    from switchboard.memory.minilm import model_available

    settings = EmbeddingSettings()
    if settings.endpoint() is None and not model_available():
        log.warning("research memory off: no embedding endpoint is set and the offline model is not installed")
        return None
    config = CosmosMemoryConfig(scope=REPORT_SCOPE, name="reports", k=RECALLED_REPORTS, score_threshold=MIN_SIMILARITY)
    return CosmosVectorMemory.from_settings(config, embedder=embedding_client(settings))


def report_text(report: str, *, run_id: str, task: str, date: str) -> str:
    """How an approved report is remembered: with its run, date and task, so the writer can cite it."""
    return f"Report approved on {date} (run {run_id}) for the task: {task}\n{report}"


class ArchivingReviewer(AssistantAgent):
    """The reviewer that, when it approves, stores the approved report in the team's memory.

    The store is a checkpointed step keyed like an idempotent effect, so a redelivered turn neither stores twice
    nor loses the report.
    """

    archive: Memory | None = None
    """Where approved reports go; set by `make_reviewer`."""

    async def handle(
        self, message: TurnRequested | InputProvided | InputTimedOut, ctx: AgentContext[AssistantState]
    ) -> None:
        """Review; on approval remember the report the verdict is about."""
        await super().handle(message, ctx)
        archive = self.archive
        if archive is None:
            return
        verdicts = [e.message for e in ctx.outbox if isinstance(e.message, TurnCompleted)]
        if not verdicts or not verdicts[-1].answer.content.startswith(APPROVED):
            return
        report = next(
            (m.content for m in reversed(ctx.state.history) if isinstance(m, UserMessage) and m.source == "writer"),
            None,
        )
        if report is None:
            return
        task = await _task_of(ctx)
        key = ctx.idempotency_key("report")
        content = MemoryContent(
            content=report_text(report, run_id=ctx.run_id, task=task, date=ctx.now().date().isoformat()),
            mime_type=MemoryMimeType.TEXT,
            metadata={"id": key, "kind": "report", "run_id": ctx.run_id},
        )

        async def store() -> bool:
            await archive.add(content)
            return True

        await ctx.checkpoint("memory_add", store, encode=lambda done: {"stored": done}, decode=lambda v: True)


async def _task_of(ctx: AgentContext[AssistantState]) -> str:
    for entry in await ctx.transcript.since(0):
        parsed = TranscriptEntry.model_validate(entry)
        if parsed.kind == "task":
            return parsed.content
    first = next((m for m in ctx.state.history if isinstance(m, UserMessage) and m.source == "user"), None)
    return first.content if first is not None else ""
