"""A run resumed after a host restart keeps its condition counters: new runtime, new agents, the same store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from switchboard.agent import ManualClock
from switchboard.agentchat import AssistantAgent
from switchboard.messages import Envelope
from switchboard.protocol.messages import TEAM_MESSAGES, TaskSubmitted
from switchboard.runtime import InMemoryStateStore, InProcessRuntime
from switchboard.teams import SelectorGroupChat, Swarm, TeamResult, TeamState
from switchboard.teams.group_chat import GroupChat, completed_result
from switchboard.termination import (
    MaxMessageTermination,
    TerminationCondition,
    TimeoutTermination,
    TokenUsageTermination,
)
from tests.support.teams import assistants, scripted, text

RUN = "resumed"


def _selector_team(termination: TerminationCondition) -> GroupChat:
    picks = [{"content": name, "usage": {"prompt_tokens": 30, "completion_tokens": 0}} for name in "abcabcabc"]
    model = scripted(
        {"team": picks, "a": text(*"aaaa", tokens=9), "b": text(*"bbbb", tokens=9), "c": text(*"cc", tokens=9)}
    )
    return SelectorGroupChat(assistants(model, "a", "b", "c"), model, termination=termination, name="team")


def _swarm_team(termination: TerminationCondition) -> GroupChat:
    hand = {
        "tool_calls": [{"name": "transfer_to_b", "arguments": {}}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 0},
    }
    back = {
        "tool_calls": [{"name": "transfer_to_a", "arguments": {}}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 0},
    }
    model = scripted({"a": [hand] * 4, "b": [back] * 4})
    members = [
        AssistantAgent("a", model_client=model, handoffs=["b"]),
        AssistantAgent("b", model_client=model, handoffs=["a"]),
    ]
    return Swarm(members, termination=termination, name="team")


async def _run(
    build: Callable[[TerminationCondition], GroupChat],
    termination: TerminationCondition,
    *,
    restart_after: int | None,
    pause: timedelta,
) -> tuple[TeamResult, InMemoryStateStore]:
    """Run to the end; with `restart_after`, stop the host after that many deliveries, wait `pause`, and carry on
    with freshly built agents and runtime on the same store and the undelivered messages."""
    store = InMemoryStateStore()
    clock = ManualClock()
    team = build(termination)
    runtime = InProcessRuntime(team.agents(), store=store, clock=clock, extra_messages=TEAM_MESSAGES)
    runtime.send(TaskSubmitted(task="go"), to="team", run_id=RUN)
    while runtime.pending and (restart_after is None or restart_after > 0):
        await runtime.step()
        clock.advance(timedelta(seconds=10))
        if restart_after is not None:
            restart_after -= 1
    if restart_after is not None:
        # The host dies: the bus keeps what was not delivered yet.
        undelivered: list[Envelope] = [runtime.drop_head() for _ in range(runtime.pending)]
        state = await runtime.state_of("team", RUN)
        assert isinstance(state, TeamState)
        assert state.termination is not None
        assert state.stop_reason is None
        clock.advance(pause)
        team = build(termination)
        runtime = InProcessRuntime(team.agents(), store=store, clock=clock, extra_messages=TEAM_MESSAGES)
        for envelope in undelivered:
            runtime.deliver(envelope)
        while runtime.pending:
            await runtime.step()
            clock.advance(timedelta(seconds=10))
    return await completed_result(runtime, RUN, "team"), store


async def test_a_token_budget_counting_selector_calls_stops_at_the_same_point_after_a_restart() -> None:
    # Selector 30 + turn 10 per round: 40, 80, 120 -> the budget of 100 runs out at the third selector call.
    termination = TokenUsageTermination(max_total_token=100) | MaxMessageTermination(20)
    straight, _ = await _run(_selector_team, termination, restart_after=None, pause=timedelta(0))
    for cut in (1, 2, 3, 4):
        resumed, _ = await _run(_selector_team, termination, restart_after=cut, pause=timedelta(0))
        assert resumed.speakers() == straight.speakers() == ["user", "a", "b"]
        assert resumed.stop_reason == straight.stop_reason
        assert "total token count: 110" in resumed.stop_reason
        assert resumed.usage == straight.usage


async def test_a_swarm_keeps_its_message_count_and_speaker_across_a_restart() -> None:
    termination = MaxMessageTermination(5)
    straight, _ = await _run(_swarm_team, termination, restart_after=None, pause=timedelta(0))
    resumed, _ = await _run(_swarm_team, termination, restart_after=3, pause=timedelta(0))
    assert resumed.speakers() == straight.speakers() == ["user", "a", "b", "a", "b"]
    assert resumed.stop_reason == straight.stop_reason


async def test_the_wall_clock_budget_counts_the_time_the_host_was_down() -> None:
    # Each delivery takes 10 s. Without a restart the run is far from 300 s; a 5-minute outage spends the budget,
    # because the start time is part of the run's state (AutoGen's timer restarts with the process).
    termination = TimeoutTermination(300) | MaxMessageTermination(7)
    straight, _ = await _run(_selector_team, termination, restart_after=None, pause=timedelta(0))
    assert straight.stop_reason.startswith("maximum number of messages 7")
    resumed, _ = await _run(_selector_team, termination, restart_after=2, pause=timedelta(minutes=5))
    assert resumed.stop_reason == "Timeout of 300 seconds reached"
    assert len(resumed.transcript) < len(straight.transcript)
