"""`AssistantAgent(memory=[...])`: recall before the model call, replacement not accumulation, checkpointed queries."""

from __future__ import annotations

import re
from typing import Any

import pytest

from switchboard.agent import CancellationToken
from switchboard.agentchat import AssistantAgent
from switchboard.agentchat.memory_recall import close_memories
from switchboard.memory import ListMemory, MemoryContent, MemoryMimeType, MemoryQueryResult, UpdateContextResult
from switchboard.memory.protocol import ChatContext, update_with_query
from switchboard.models.chat import SystemMessage, UserMessage
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.protocol.messages import TEAM_MESSAGES, TurnCompleted, TurnRequested
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.runtime import InProcessRuntime
from switchboard.testing import received
from tests.unit.switchboard.test_checkpoints import Crash, CrashingCommits

RUN = "run-1"


class KeywordMemory:
    """A ranked memory that returns the facts sharing a word with the query, and counts its queries."""

    def __init__(self, facts: list[str]) -> None:
        self.name = "facts"
        self.facts = facts
        self.queries: list[str] = []

    async def update_context(self, model_context: ChatContext) -> UpdateContextResult:
        return await update_with_query(self, model_context)

    async def query(
        self, query: str | MemoryContent, cancellation_token: CancellationToken | None = None, **kwargs: Any
    ) -> MemoryQueryResult:
        text = query if isinstance(query, str) else query.as_text()
        self.queries.append(text)
        words = set(re.findall(r"\w+", text.lower())) - {"for", "is", "what"}
        hits = [f for f in self.facts if words & set(re.findall(r"\w+", f.lower()))]
        return MemoryQueryResult(results=[MemoryContent(content=f, mime_type=MemoryMimeType.TEXT) for f in hits])

    async def add(self, content: MemoryContent, cancellation_token: CancellationToken | None = None) -> None:
        self.facts.append(content.as_text())

    async def clear(self) -> None:
        self.facts = []

    async def close(self) -> None:
        return None


def _scripted(*replies: str) -> ScriptedModelClient:
    return ScriptedModelClient(Script.model_validate({"agents": {"helper": [{"content": r} for r in replies]}}))


def _ask(text: str, turn: int = 0) -> TurnRequested:
    entry = TranscriptEntry(source="user", content=text, kind="task")
    return TurnRequested(team="team", turn=turn, new_messages=(entry,))


async def _turns(agent: AssistantAgent, *texts: str, store: Any = None) -> tuple[InProcessRuntime, list[TurnCompleted]]:
    runtime = InProcessRuntime([agent], store=store, extra_messages=TEAM_MESSAGES) if store else None
    runtime = runtime or InProcessRuntime([agent], extra_messages=TEAM_MESSAGES)
    for turn, text in enumerate(texts):
        runtime.send(_ask(text, turn), to=agent.name, run_id=RUN)
        await runtime.run_until_idle()
    done = [received(runtime, reply) for reply in runtime.to_client]
    return runtime, [d for d in done if isinstance(d, TurnCompleted)]


async def test_recall_is_shown_before_the_model_call_and_recorded_in_the_entry() -> None:
    memory = KeywordMemory(["Bob is allergic to peanuts.", "Alice prefers metric units."])
    model = _scripted("No peanuts for Bob.")
    agent = AssistantAgent("helper", model_client=model, system_message="Be brief.", memory=[memory])
    _, (done,) = await _turns(agent, "what snacks for bob?")
    (request,) = model.requests
    system = request.messages[0]
    assert isinstance(system, SystemMessage)
    assert system.content.startswith("Be brief.\n")
    assert "Relevant memory content" in system.content
    assert "1. Bob is allergic to peanuts." in system.content
    assert "Alice" not in system.content
    assert [type(m) for m in request.messages] == [SystemMessage, UserMessage]  # one system message, at the start
    (event,) = done.answer.memory
    assert event.source == "helper"
    assert event.memory == "facts"
    assert [c.content for c in event.content] == ["Bob is allergic to peanuts."]


async def test_the_next_recall_replaces_the_previous_one_instead_of_piling_up() -> None:
    memory = KeywordMemory(["Bob is allergic to peanuts.", "Alice prefers metric units."])
    model = _scripted("ok", "ok")
    agent = AssistantAgent("helper", model_client=model, memory=[memory])
    _, (first, second) = await _turns(agent, "snacks for bob?", "units for alice?")
    last = model.requests[1].messages
    text = "\n".join(m.content or "" for m in last if isinstance(m, SystemMessage | UserMessage))
    assert "Alice prefers metric units." in text
    assert "peanuts" not in text  # the first turn's recall is gone, the conversation itself stays
    assert "snacks for bob?" in text
    assert [e.content[0].content for e in (*first.answer.memory, *second.answer.memory)] == [
        "Bob is allergic to peanuts.",
        "Alice prefers metric units.",
    ]


async def test_nothing_recalled_means_no_memory_message_and_no_event() -> None:
    memory = KeywordMemory(["Bob is allergic to peanuts."])
    model = _scripted("ok")
    agent = AssistantAgent("helper", model_client=model, system_message="S", memory=[memory])
    _, (done,) = await _turns(agent, "weather today?")
    assert model.requests[0].messages[0] == SystemMessage(content="S")
    assert done.answer.memory == ()


async def test_a_redelivered_turn_replays_the_memory_query_instead_of_querying_again() -> None:
    memory = KeywordMemory(["Bob is allergic to peanuts."])
    model = _scripted("No peanuts.")
    agent = AssistantAgent("helper", model_client=model, memory=[memory])
    runtime = InProcessRuntime([agent], store=CrashingCommits(), extra_messages=TEAM_MESSAGES)
    runtime.send(_ask("snacks for bob?"), to="helper", run_id=RUN)
    with pytest.raises(Crash):
        await runtime.run_until_idle()
    assert len(memory.queries) == 1
    memory.facts.append("Bob also avoids sesame.")  # a live re-query would now see this
    await runtime.run_until_idle()  # the broker redelivers
    assert len(memory.queries) == 1
    assert len(model.requests) == 1
    (reply,) = runtime.to_client
    done = received(runtime, reply)
    assert isinstance(done, TurnCompleted)
    assert [c.content for c in done.answer.memory[0].content] == ["Bob is allergic to peanuts."]


async def test_list_memory_shows_everything_in_order_through_respond() -> None:
    memory = ListMemory(name="prefs")
    await memory.add(MemoryContent(content="Answer in French.", mime_type=MemoryMimeType.TEXT))
    await memory.add(MemoryContent(content={"units": "metric"}, mime_type=MemoryMimeType.JSON))
    model = _scripted("Bonjour")
    agent = AssistantAgent("helper", model_client=model, memory=[memory])
    entry = await agent.respond([UserMessage(content="hi")])
    system = model.requests[0].messages[0]
    assert isinstance(system, SystemMessage)
    assert '1. Answer in French.\n2. {"units": "metric"}' in system.content
    assert entry.memory[0].memory == "prefs"
    assert len(entry.memory[0].content) == 2


async def test_close_memories_closes_each_shared_memory_once() -> None:
    closed: list[str] = []

    class Closing(KeywordMemory):
        async def close(self) -> None:
            closed.append(self.name)

    shared = Closing([])
    a = AssistantAgent("a", model_client=_scripted(), memory=[shared])
    b = AssistantAgent("b", model_client=_scripted(), memory=[shared, ListMemory(name="other")])
    await close_memories([a, b, object()])
    assert closed == ["facts"]
