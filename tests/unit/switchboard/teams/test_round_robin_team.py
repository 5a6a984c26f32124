from __future__ import annotations

from typing import Any

import pytest

from switchboard.agentchat import AssistantAgent
from switchboard.errors import AgentDefinitionError
from switchboard.models.chat import Usage
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.protocol import RunCompleted, TaskSubmitted, TranscriptEntry
from switchboard.protocol.messages import TEAM_MESSAGES
from switchboard.teams import RoundRobinGroupChat, TeamState
from switchboard.termination import MaxMessageTermination, TextMentionTermination
from switchboard.testing import AgentHarness


def _team(script: dict[str, list[dict[str, Any]]], **kwargs: Any) -> tuple[RoundRobinGroupChat, ScriptedModelClient]:
    model = ScriptedModelClient(Script.model_validate({"agents": script}))
    writer = AssistantAgent("writer", model_client=model)
    critic = AssistantAgent("critic", model_client=model)
    return RoundRobinGroupChat([writer, critic], **kwargs), model


def _usage(tokens: int) -> dict[str, int]:
    return {"prompt_tokens": tokens, "completion_tokens": 1}


async def test_max_message_termination_counts_the_task() -> None:
    team, _ = _team(
        {"writer": [{"content": "draft 1"}, {"content": "draft 2"}], "critic": [{"content": "more detail"}]},
        termination=MaxMessageTermination(4),
    )
    result = await team.run("write a poem", run_id="r1")
    assert [(e.source, e.content) for e in result.transcript] == [
        ("user", "write a poem"),
        ("writer", "draft 1"),
        ("critic", "more detail"),
        ("writer", "draft 2"),
    ]
    assert result.stop_reason == "maximum number of messages 4 reached, current message count: 4"
    assert result.run_id == "r1"


async def test_text_mention_termination_and_usage_per_agent() -> None:
    team, model = _team(
        {
            "writer": [{"content": "draft", "usage": _usage(10)}, {"content": "better", "usage": _usage(20)}],
            "critic": [{"content": "REVISE", "usage": _usage(5)}, {"content": "APPROVE", "usage": _usage(7)}],
        },
        termination=TextMentionTermination("APPROVE", sources=["critic"]) | MaxMessageTermination(20),
    )
    seen: list[TranscriptEntry] = []
    result = await team.run("write", on_entry=seen.append)
    assert result.speakers() == ["user", "writer", "critic", "writer", "critic"]
    assert result.stop_reason == "text 'APPROVE' mentioned by critic"
    assert result.usage == {
        "writer": Usage(prompt_tokens=30, completion_tokens=2),
        "critic": Usage(prompt_tokens=12, completion_tokens=2),
    }
    assert result.total_usage.total_tokens == 46
    assert list(result.transcript) == seen
    # Each participant saw only what it had not seen yet, after its own history.
    critic_second = [r for r in model.requests if r.agent == "critic"][1]
    assert [getattr(m, "content", None) for m in critic_second.messages[1:]] == [
        "write",
        "draft",
        "REVISE",
        "better",
    ]


async def test_and_combinator_needs_both_conditions() -> None:
    team, _ = _team(
        {
            "writer": [{"content": "DONE"}, {"content": "still DONE"}],
            "critic": [{"content": "ok"}, {"content": "ok"}],
        },
        termination=TextMentionTermination("DONE") & MaxMessageTermination(4),
    )
    result = await team.run("go")
    assert result.speakers() == ["user", "writer", "critic", "writer"]
    assert result.stop_reason == (
        "text 'DONE' mentioned by writer; maximum number of messages 4 reached, current message count: 4"
    )


async def test_max_turns_is_a_stop_reason_of_its_own() -> None:
    team, _ = _team({"writer": [{"content": "a"}], "critic": [{"content": "b"}]}, max_turns=2)
    result = await team.run("go")
    assert result.speakers() == ["user", "writer", "critic"]
    assert result.stop_reason == "maximum number of turns 2 reached"


async def test_manager_state_keeps_condition_counters_and_ignores_duplicates() -> None:
    team, _ = _team(
        {"writer": [{"content": "a"}, {"content": "c"}], "critic": [{"content": "b"}]},
        termination=MaxMessageTermination(4),
    )
    harness = AgentHarness(team.agents(), extra_messages=TEAM_MESSAGES)
    harness.send(TaskSubmitted(task="go"), to="team")
    harness.send(TaskSubmitted(task="go again"), to="team")  # a redelivery must not restart the run
    await harness.run()
    done = harness.single(RunCompleted)
    assert done.entry_count == 4
    assert [e.content for e in await harness.transcript()] == ["go", "a", "b", "c"]
    state = await harness.state("team", TeamState)
    assert state.termination is not None
    assert state.termination.count == 4
    assert state.stop_reason == done.stop_reason


def test_a_team_that_could_never_stop_is_rejected() -> None:
    with pytest.raises(AgentDefinitionError):
        _team({}, termination=None)
