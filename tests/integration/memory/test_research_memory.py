"""The research sample remembers approved reports across runs (Cosmos emulator + MiniLM), in-process and hosted."""

from __future__ import annotations

import uuid

import pytest
from azure.cosmos.aio import CosmosClient

from agents.registry import RESEARCH_TEAM
from agents.report_memory import REPORT_SCOPE, ArchivingReviewer
from switchboard.agentchat import AssistantAgent
from switchboard.memory.cosmos import CosmosVectorMemory
from switchboard.models.chat import SystemMessage
from switchboard.models.scripted import ScriptedModelClient
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.teams import RoundRobinGroupChat
from tests.support.emulators import CosmosEmulator
from tests.support.hosted_teams import RUN as HOSTED_RUN
from tests.support.hosted_teams import run_hosted

pytestmark = pytest.mark.emulator

TASK = "How are effects made exactly once?"


@pytest.fixture
def container(cosmos_emulator: CosmosEmulator, monkeypatch: pytest.MonkeyPatch) -> str:
    """The research memory settings, on a fresh container of the emulator."""
    name = f"reports-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("COSMOS_ENDPOINT", cosmos_emulator.endpoint)
    monkeypatch.setenv("COSMOS_KEY", cosmos_emulator.key)
    monkeypatch.setenv("COSMOS_MEMORY_CONTAINER", name)
    for setting in ("AZURE_OPENAI_EMBEDDING_DEPLOYMENT", "OPENAI_EMBEDDING_MODEL"):
        monkeypatch.delenv(setting, raising=False)
    return name


def _team() -> tuple[RoundRobinGroupChat, ScriptedModelClient, CosmosVectorMemory]:
    assert RESEARCH_TEAM.demo_script is not None
    client = ScriptedModelClient.from_file(RESEARCH_TEAM.demo_script)
    team = RESEARCH_TEAM.build(client)
    assert isinstance(team, RoundRobinGroupChat)
    writer = next(a for a in team.participants if a.name == "writer")
    reviewer = next(a for a in team.participants if a.name == "reviewer")
    assert isinstance(writer, AssistantAgent)
    assert isinstance(reviewer, ArchivingReviewer)
    (memory,) = writer.memory
    assert isinstance(memory, CosmosVectorMemory)
    assert reviewer.archive is memory
    return team, client, memory


def _writer_system_prompts(client: ScriptedModelClient) -> list[str]:
    prompts = []
    for request in client.requests:
        first = request.messages[0]
        if request.agent == "writer" and isinstance(first, SystemMessage):
            prompts.append(first.content)
    return prompts


async def _stored_reports(emulator: CosmosEmulator, container: str) -> list[dict[str, object]]:
    async with CosmosClient(emulator.endpoint, credential=emulator.key) as client:
        items = client.get_database_client("switchboard").get_container_client(container)
        query = "SELECT c.id, c.text, c.metadata FROM c WHERE c.scope = @s"
        pages = items.query_items(query, parameters=[{"name": "@s", "value": REPORT_SCOPE}], partition_key=REPORT_SCOPE)
        return [row async for row in pages]


async def test_a_second_run_recalls_and_is_shown_the_first_runs_approved_report(
    container: str, cosmos_emulator: CosmosEmulator
) -> None:
    team, first_client, memory = _team()
    first = await team.run(TASK, run_id="run-one")
    await memory.close()
    assert all("Relevant memory content" not in p for p in _writer_system_prompts(first_client))
    assert all(not e.memory for e in first.transcript)
    (stored,) = await _stored_reports(cosmos_emulator, container)
    final_report = [e for e in first.transcript if e.source == "writer"][-1].content
    assert final_report in str(stored["text"])
    assert "(run run-one) for the task: " + TASK in str(stored["text"])

    team, second_client, memory = _team()
    second = await team.run(TASK, run_id="run-two")
    await memory.close()
    prompt = _writer_system_prompts(second_client)[0]
    assert "cite it as (earlier report" in prompt
    assert "Relevant memory content" in prompt
    assert "(run run-one)" in prompt
    assert final_report in prompt
    writer_entry: TranscriptEntry = next(e for e in second.transcript if e.source == "writer")
    (event,) = writer_entry.memory
    assert event.memory == "reports"
    assert event.content[0].metadata is not None
    assert event.content[0].metadata["run_id"] == "run-one"
    assert len(await _stored_reports(cosmos_emulator, container)) == 2  # the second approval is remembered too


async def test_the_hosted_processor_path_remembers_and_recalls_the_same_way(
    container: str, cosmos_emulator: CosmosEmulator
) -> None:
    team, _, memory = _team()
    await run_hosted(team, TASK)
    await memory.close()
    (stored,) = await _stored_reports(cosmos_emulator, container)
    assert f"(run {HOSTED_RUN})" in str(stored["text"])

    team, client, memory = _team()
    store, _ = await run_hosted(team, TASK)
    await memory.close()
    assert f"(run {HOSTED_RUN})" in _writer_system_prompts(client)[0]
    entries = [TranscriptEntry.model_validate(e) for e in await store.read(HOSTED_RUN, 0)]
    assert any(e.source == "writer" and e.memory for e in entries)
