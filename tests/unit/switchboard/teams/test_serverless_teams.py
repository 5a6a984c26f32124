"""SelectorGroupChat and Swarm through the serverless path on the in-memory hosting ports: the same agents run by
`MessageProcessor` hop by hop (inbox, commit, outbox), with a host restart and redeliveries in the middle."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from switchboard.agent import ManualClock
from switchboard.agentchat import AssistantAgent
from switchboard.hosting.memory import InMemoryHostStore
from switchboard.hosting.processor import MessageProcessor
from switchboard.hosting.settlement import IncomingMessage, SettlementKind
from switchboard.models.scripted import ScriptedModelClient
from switchboard.protocol import TEAM_MESSAGES
from switchboard.runtime import Router
from switchboard.teams import SelectorGroupChat, Swarm
from switchboard.teams.group_chat import GroupChat
from switchboard.termination import HandoffTermination, MaxMessageTermination, TokenUsageTermination
from switchboard.testing import InMemoryRunEvents
from tests.support.teams import assistants, scripted, text

RUN = "hosted-run"


def _host(team: GroupChat, store: InMemoryHostStore, bus: InMemoryRunEvents) -> MessageProcessor:
    """One host process: its own agents and router, the shared store and bus."""
    router = Router(team.agents(), extra_messages=TEAM_MESSAGES)
    bus.router = router
    return MessageProcessor(
        router=router,
        store=store,
        journal=store,
        transcript=store,
        runs=store,
        publisher=bus,
        teams={team.name: team.name},
        clock=ManualClock(datetime(2026, 11, 29, tzinfo=UTC)),
    )


async def _serve(
    build: Callable[[], GroupChat], *, restart_after: int | None = None, redeliver: bool = False
) -> tuple[InMemoryHostStore, InMemoryRunEvents, list[str]]:
    store, bus = InMemoryHostStore(), InMemoryRunEvents()
    processor = _host(build(), store, bus)
    task = IncomingMessage(body=json.dumps({"task": "go"}).encode(), message_id=RUN)
    assert (await processor.process_task(task)).outcome == "started"
    outcomes: list[str] = []
    hops = 0
    while bus.sent:
        envelope = bus.sent.pop(0)
        assert envelope.target is not None
        incoming = IncomingMessage(body=envelope.to_json(), message_id=envelope.message_id, session_id=RUN)
        settlement = await processor.process(envelope.target, incoming)
        assert settlement.kind is SettlementKind.COMPLETE, settlement
        outcomes.append(settlement.outcome)
        if redeliver:
            # At-least-once: every message arrives twice; the copy only re-sends the stored outbox.
            before = len(bus.sent)
            again = await processor.process(envelope.target, incoming)
            outcomes.append(again.outcome)
            # Service Bus drops the re-sent copies (same message ids, duplicate detection on).
            del bus.sent[before:]
        hops += 1
        if restart_after is not None and hops == restart_after:
            processor = _host(build(), store, bus)  # a new process: new agents, same Cosmos and bus
    return store, bus, outcomes


def _selector(models: list[ScriptedModelClient] | None = None) -> GroupChat:
    picks = [{"content": name, "usage": {"prompt_tokens": 30, "completion_tokens": 2}} for name in "abca"]
    model = scripted({"team": picks, "a": text("one", "four", tokens=5), "b": text("two"), "c": text("three")})
    if models is not None:
        models.append(model)
    return _selector_on(model)


def _selector_on(model: ScriptedModelClient) -> GroupChat:
    return SelectorGroupChat(
        assistants(model, "a", "b", "c"),
        model,
        termination=MaxMessageTermination(5) | TokenUsageTermination(max_total_token=10_000),
        name="team",
    )


def _swarm() -> GroupChat:
    model = scripted(
        {
            "a": [{"tool_calls": [{"name": "transfer_to_b"}]}, {"tool_calls": [{"name": "transfer_to_user"}]}],
            "b": [{"content": "half done"}, {"tool_calls": [{"name": "transfer_to_a"}]}],
        }
    )
    members = [
        AssistantAgent("a", model_client=model, handoffs=["b", "user"]),
        AssistantAgent("b", model_client=model, handoffs=["a"]),
    ]
    return Swarm(members, termination=HandoffTermination("user") | MaxMessageTermination(10), name="team")


async def _speakers(store: InMemoryHostStore) -> list[str]:
    return [entry["source"] for entry in await store.read(RUN, 0)]


async def test_a_selector_team_completes_serverless_with_selector_tokens_in_the_run_usage() -> None:
    store, bus, outcomes = await _serve(_selector)
    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "completed"
    assert await _speakers(store) == ["user", "a", "b", "c", "a"]
    assert run["usage"]["team"] == {"prompt_tokens": 120, "completion_tokens": 8}
    assert run["stop_reason"].startswith("maximum number of messages 5")
    assert bus.statuses == ["queued", "running", "completed"]
    assert set(outcomes) == {"handled"}
    # The same transcript as the in-process runtime gives.
    in_process = await _selector().run("go", run_id=RUN)
    assert await _speakers(store) == in_process.speakers()
    assert run["usage"] == {k: v.model_dump() for k, v in in_process.usage.items()}


async def test_a_selector_team_survives_a_host_restart_and_redeliveries_without_asking_twice() -> None:
    models: list[ScriptedModelClient] = []
    store, _, outcomes = await _serve(lambda: _selector(models), restart_after=4, redeliver=True)
    assert await _speakers(store) == ["user", "a", "b", "c", "a"]
    assert "resent" in outcomes
    run = await store.read_run(RUN)
    assert run is not None
    assert run["usage"]["team"] == {"prompt_tokens": 120, "completion_tokens": 8}
    # Across both processes, each selector step was asked once.
    assert len(models) == 2
    for index in range(4):
        assert sum(model.requests_for(RUN, "team", index) for model in models) == 1, index


async def test_a_swarm_completes_serverless_on_a_handoff_to_the_user() -> None:
    store, _, _ = await _serve(_swarm, restart_after=2)
    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "completed"
    assert run["stop_reason"] == "Handoff to user from a detected."
    entries = await store.read(RUN, 0)
    assert [(e["source"], e["kind"], e.get("target")) for e in entries] == [
        ("user", "task", None),
        ("a", "handoff", "b"),
        ("b", "text", None),
        ("b", "handoff", "a"),
        ("a", "handoff", "user"),
    ]


async def test_a_swarm_handoff_to_a_stranger_fails_the_hosted_run_with_the_error_stored() -> None:
    def build() -> GroupChat:
        model = scripted({"a": [{"tool_calls": [{"name": "transfer_to_user"}]}]})
        members = [AssistantAgent("a", model_client=model, handoffs=["user"]), AssistantAgent("b", model_client=model)]
        return Swarm(members, max_turns=4, name="team")

    store, _, outcomes = await _serve(build)
    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "failed"
    assert run["error"].startswith("HandoffTargetError")
    assert outcomes[-1] == "run-failed"
