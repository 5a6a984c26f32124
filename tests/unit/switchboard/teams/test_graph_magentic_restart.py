"""GraphFlow, MagenticOneGroupChat and a nested team resumed after a host restart: new runtime, new agents, the same
store and the undelivered messages give the same run as one without a restart, at every point it can stop."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from switchboard.messages import Envelope
from switchboard.protocol.messages import TEAM_MESSAGES, TaskSubmitted
from switchboard.runtime import InMemoryStateStore, InProcessRuntime
from switchboard.teams import (
    DiGraphBuilder,
    GraphFlow,
    MagenticOneGroupChat,
    RoundRobinGroupChat,
    TeamResult,
)
from switchboard.teams.group_chat import GroupChat, completed_result
from switchboard.termination import MaxMessageTermination, TokenUsageTermination
from tests.support.teams import assistants, scripted, text

RUN = "resumed"


def _fan_out() -> GroupChat:
    model = scripted({"a": text("go", tokens=5), "b": text("B", tokens=5), "c": text("C", tokens=5), "d": text("D")})
    a, b, c, d = assistants(model, "a", "b", "c", "d")
    builder = DiGraphBuilder().add_node(a).add_node(b).add_node(c).add_node(d)
    builder.add_edge(a, b).add_edge(a, c).add_edge(b, d).add_edge(c, d)
    return GraphFlow([a, b, c, d], graph=builder.build(), termination=TokenUsageTermination(max_prompt_token=100))


def _ledger(speaker: str, done: bool = False) -> str:
    answer = {"reason": "r", "answer": False}
    return json.dumps(
        {
            "is_request_satisfied": {"reason": "done", "answer": done},
            "is_progress_being_made": {"reason": "r", "answer": True},
            "is_in_loop": answer,
            "next_speaker": {"reason": "r", "answer": speaker},
            "instruction_or_question": {"reason": "r", "answer": f"{speaker}, go"},
        }
    )


def _magentic() -> GroupChat:
    orchestrator = text("F", "P", _ledger("x"), _ledger("y"), _ledger("x", done=True), "final", tokens=10)
    model = scripted({"magentic": orchestrator, "x": text("x1", tokens=3), "y": text("y1", tokens=3)})
    return MagenticOneGroupChat(assistants(model, "x", "y"), model, termination=TokenUsageTermination(10_000))


def _nested() -> GroupChat:
    model = scripted({"lead": text("brief"), "p": text("p1", "p2"), "q": text("q1", "q2"), "end": text("end")})
    lead, p, q, end = assistants(model, "lead", "p", "q", "end")
    inner = RoundRobinGroupChat([p, q], termination=MaxMessageTermination(5), name="crew")
    builder = DiGraphBuilder().add_node(lead).add_node(inner).add_node(end)
    builder.add_edge(lead, inner).add_edge(inner, end)
    return GraphFlow([lead, inner, end], graph=builder.build(), name="outer")


async def _run(build: Callable[[], GroupChat], restart_after: int | None) -> TeamResult:
    store = InMemoryStateStore()
    team = build()
    runtime = InProcessRuntime(team.agents(), store=store, extra_messages=TEAM_MESSAGES)
    runtime.send(TaskSubmitted(task="go"), to=team.name, run_id=RUN)
    delivered = 0
    while runtime.pending and (restart_after is None or delivered < restart_after):
        await runtime.step()
        delivered += 1
    if restart_after is not None:
        # The host dies: the bus keeps what was not delivered yet; a new host builds everything afresh.
        undelivered: list[Envelope] = [runtime.drop_head() for _ in range(runtime.pending)]
        unrouted = list(runtime.unrouted)
        team = build()
        runtime = InProcessRuntime(team.agents(), store=store, extra_messages=TEAM_MESSAGES)
        runtime.unrouted.extend(unrouted)
        for envelope in undelivered:
            runtime.deliver(envelope)
    await runtime.run_until_idle()
    return await completed_result(runtime, RUN, team.name)


@pytest.mark.parametrize("build", [_fan_out, _magentic, _nested], ids=["graph-fan-out", "magentic", "nested"])
async def test_a_restart_at_any_point_gives_the_same_run(build: Callable[[], GroupChat]) -> None:
    whole = await _run(build, None)
    assert len(whole.transcript) >= 4
    for cut in range(1, 14):
        resumed = await _run(build, cut)
        assert [(e.source, e.content) for e in resumed.transcript] == [(e.source, e.content) for e in whole.transcript]
        assert resumed.stop_reason == whole.stop_reason
        assert resumed.usage == whole.usage
