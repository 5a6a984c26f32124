"""AutoGen's team surface: `termination_condition=` on every team, `run(task=)`, `run_stream`, `TaskResult`, Console."""

from __future__ import annotations

import io
from typing import Any

import pytest

from switchboard.agentchat.ui import Console
from switchboard.errors import AgentDefinitionError
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.teams import (
    DiGraphBuilder,
    GraphFlow,
    MagenticOneGroupChat,
    RoundRobinGroupChat,
    SelectorGroupChat,
    Swarm,
    TaskResult,
    TeamResult,
)
from switchboard.termination import MaxMessageTermination, TextMentionTermination
from tests.support.teams import assistants, scripted, text


def duo(**options: Any) -> RoundRobinGroupChat:
    model = scripted({"writer": text("draft", "draft 2"), "critic": text("more", "APPROVE")})
    return RoundRobinGroupChat(assistants(model, "writer", "critic"), **options)


async def test_termination_condition_is_accepted_under_autogens_name() -> None:
    result = await duo(termination_condition=TextMentionTermination("APPROVE")).run(task="Write")
    assert isinstance(result, TaskResult)
    assert [m.source for m in result.messages] == ["user", "writer", "critic", "writer", "critic"]
    assert result.messages == result.transcript
    assert "APPROVE" in result.stop_reason


def test_every_team_kind_takes_termination_condition() -> None:
    model = scripted({})
    stop = MaxMessageTermination(3)
    a, b = assistants(model, "a", "b")
    builder = DiGraphBuilder()
    builder.add_node(a).add_node(b).add_edge(a, b)
    teams = [
        RoundRobinGroupChat([a, b], termination_condition=stop),
        SelectorGroupChat([a, b], model, termination_condition=stop),
        Swarm([a, b], termination_condition=stop),
        MagenticOneGroupChat([a, b], model, termination_condition=stop),
        GraphFlow([a, b], graph=builder.build(), termination_condition=stop),
    ]
    assert all(team.manager.termination is stop for team in teams)


def test_both_names_at_once_are_refused_naming_the_team() -> None:
    with pytest.raises(AgentDefinitionError, match=r"'pair'.*not both"):
        duo(termination=MaxMessageTermination(2), termination_condition=MaxMessageTermination(3), name="pair")


async def test_run_stream_yields_messages_as_they_happen_then_the_result() -> None:
    seen: list[str] = []
    async for item in duo(termination_condition=TextMentionTermination("APPROVE")).run_stream(task="Write"):
        if isinstance(item, TeamResult):
            result = item
        else:
            assert isinstance(item, TranscriptEntry)
            seen.append(item.source)
    assert seen == ["user", "writer", "critic", "writer", "critic"]
    assert result.speakers() == seen
    assert "APPROVE" in result.stop_reason


async def test_a_failing_run_raises_from_the_stream_after_its_messages() -> None:
    model = scripted({"writer": text("draft"), "critic": text()})  # the critic has no reply: the script runs out
    team = RoundRobinGroupChat(assistants(model, "writer", "critic"), max_turns=4)
    seen: list[str] = []

    async def consume() -> None:
        async for item in team.run_stream(task="Write"):
            assert isinstance(item, TranscriptEntry)
            seen.append(item.source)

    with pytest.raises(Exception, match="critic"):
        await consume()
    assert seen == ["user", "writer"]


async def test_console_prints_autogens_headers_and_returns_the_result() -> None:
    out = io.StringIO()
    result = await Console(
        duo(termination_condition=TextMentionTermination("APPROVE")).run_stream(task="Write"),
        output=out,
        output_stats=True,
    )
    assert isinstance(result, TeamResult)
    printed = out.getvalue()
    assert "---------- TextMessage (user) ----------\nWrite\n" in printed
    assert "---------- TextMessage (critic) ----------\nAPPROVE\n" in printed
    assert "Number of messages: 5\n" in printed
    assert f"Finish reason: {result.stop_reason}\n" in printed
