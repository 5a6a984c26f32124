"""SelectorGroupChat in-process on the scripted model: model-chosen speakers, functions, retries, counted calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from switchboard.errors import AgentDefinitionError, StateConflictError
from switchboard.models.chat import Usage
from switchboard.protocol import TranscriptEntry
from switchboard.protocol.messages import TEAM_MESSAGES, TaskSubmitted
from switchboard.runtime import Commit, InMemoryStateStore, InProcessRuntime
from switchboard.teams import SelectorGroupChat, SpeakerSelectionError, TeamState
from switchboard.teams.group_chat import completed_result
from switchboard.termination import (
    CostBudgetTermination,
    MaxMessageTermination,
    ModelPrice,
    PriceTable,
    TextMentionTermination,
    TokenUsageTermination,
)
from tests.support.teams import assistants, scripted, text


def _pick(*names: str, tokens: int = 10) -> list[dict[str, object]]:
    return [{"content": name, "usage": {"prompt_tokens": tokens, "completion_tokens": 1}} for name in names]


async def test_the_model_chooses_each_speaker_from_a_prompt_with_roles_candidates_and_history() -> None:
    model = scripted(
        {
            "team": _pick("coder", "tester", "coder"),
            "coder": text("def f(): pass", "fixed"),
            "tester": text("test fails"),
        }
    )
    team = SelectorGroupChat(
        assistants(model, "planner", "coder", "tester"), model, termination=MaxMessageTermination(4), name="team"
    )
    result = await team.run("write f", run_id="r")
    assert result.speakers() == ["user", "coder", "tester", "coder"]
    prompts = [r for r in model.requests if r.agent == "team"]
    assert len(prompts) == 3
    first = str(prompts[0].messages[0].content)
    assert "planner: planner role\ncoder: coder role\ntester: tester role" in first
    assert "['planner', 'coder', 'tester']" in first
    assert "user: write f" in first
    # The previous speaker is not a candidate (allow_repeated_speaker=False), and the history grows.
    second = str(prompts[1].messages[0].content)
    assert "['planner', 'tester']" in second
    assert "coder: def f(): pass" in second
    # Each selector call is a step of the manager, keyed (run, team, index).
    assert [r.step.index for r in prompts if r.step] == [0, 1, 2]


async def test_selector_calls_count_in_usage_and_in_the_token_budget() -> None:
    model = scripted(
        {
            "team": _pick("a", "b", "a", "b", tokens=40),
            "a": text("one", "three", tokens=5),
            "b": text("two", "four", tokens=5),
        }
    )
    # Participants alone would spend 4 * 6 = 24 tokens; the selector spends 41 per call.
    team = SelectorGroupChat(
        assistants(model, "a", "b", "c"), model, termination=TokenUsageTermination(max_total_token=100), name="team"
    )
    result = await team.run("go", run_id="r")
    # Selector 41 -> ask a (6) -> 47; selector 41 -> 88 -> ask b (6) -> 94; selector 41 -> 135: stop before asking.
    assert result.speakers() == ["user", "a", "b"]
    assert result.usage["team"] == Usage(prompt_tokens=120, completion_tokens=3)
    assert "total token count: 135" in result.stop_reason


async def test_selector_func_overrides_the_model_and_none_falls_back_to_it() -> None:
    calls: list[int] = []

    def selector(thread: Sequence[TranscriptEntry]) -> str | None:
        calls.append(len(thread))
        if thread[-1].source == "user":
            return "b"
        return None if thread[-1].source == "b" else "b"

    model = scripted({"team": _pick("a"), "a": text("from a"), "b": text("from b", "b again")})
    team = SelectorGroupChat(
        assistants(model, "a", "b", "c"),
        model,
        termination=MaxMessageTermination(4),
        selector_func=selector,
        name="team",
    )
    result = await team.run("go", run_id="r")
    assert result.speakers() == ["user", "b", "a", "b"]
    assert calls == [1, 2, 3]
    assert len([r for r in model.requests if r.agent == "team"]) == 1


async def test_candidate_func_narrows_the_choice_and_a_single_candidate_needs_no_model() -> None:
    model = scripted({"team": _pick("c"), "a": text("x"), "b": text("y"), "c": text("z")})

    def candidates(thread: Sequence[TranscriptEntry]) -> list[str]:
        return ["b"] if thread[-1].source == "user" else ["a", "c"]

    team = SelectorGroupChat(
        assistants(model, "a", "b", "c"), model, termination=MaxMessageTermination(3), candidate_func=candidates
    )
    result = await team.run("go", run_id="r")
    assert result.speakers() == ["user", "b", "c"]
    (prompt,) = [r for r in model.requests if r.agent == "team"]
    assert "['a', 'c']" in str(prompt.messages[0].content)


async def test_an_invalid_choice_is_retried_with_feedback_then_falls_back_to_the_previous_speaker() -> None:
    model = scripted(
        {
            # Turn 1: no name, then two names, then a valid one. Turn 2: the previous speaker three times.
            "team": [
                {"content": "nobody"},
                {"content": "a and b"},
                {"content": "a"},
                {"content": "a"},
                {"content": "a"},
                {"content": "a"},
            ],
            "a": text("first", "second"),
            "b": text("never"),
        }
    )
    team = SelectorGroupChat(assistants(model, "a", "b", "c"), model, termination=MaxMessageTermination(3), name="team")
    result = await team.run("go", run_id="r")
    assert result.speakers() == ["user", "a", "a"]
    prompts = [r for r in model.requests if r.agent == "team"]
    assert len(prompts) == 6
    assert str(prompts[1].messages[-1].content) == "No valid name was mentioned. Please select from: ['a', 'b', 'c']."
    assert str(prompts[2].messages[-1].content).startswith("Expected exactly one name")
    assert str(prompts[4].messages[-1].content) == (
        "Repeated speaker is not allowed, please select a different name from: ['b', 'c']."
    )


async def test_allow_repeated_speaker_keeps_the_previous_speaker_a_candidate() -> None:
    model = scripted({"team": _pick("a", "a"), "a": text("x", "y")})
    team = SelectorGroupChat(
        assistants(model, "a", "b"),
        model,
        termination=TextMentionTermination("y"),
        allow_repeated_speaker=True,
        name="team",
    )
    result = await team.run("go", run_id="r")
    assert result.speakers() == ["user", "a", "a"]
    assert "['a', 'b']" in str([r for r in model.requests if r.agent == "team"][1].messages[0].content)


class FailingOnceStore(InMemoryStateStore):
    """Refuses the manager's `n`-th commit once, as a host that dies after the handler ran and before storing."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n
        self.team_commits = 0

    async def commit(self, commit: Commit) -> str:
        if commit.agent == "team":
            self.team_commits += 1
            if self.team_commits == self.n:
                raise StateConflictError("the host died before its commit")
        return await super().commit(commit)


async def test_a_redelivered_turn_replays_the_selector_call_instead_of_asking_again() -> None:
    model = scripted({"team": _pick("a", "b", tokens=40), "a": text("x"), "b": text("y"), "c": text("z")})
    team = SelectorGroupChat(assistants(model, "a", "b", "c"), model, termination=MaxMessageTermination(3), name="team")
    store = FailingOnceStore(2)  # the hop after a's turn: its selector call is made, then the commit fails
    runtime = InProcessRuntime(team.agents(), store=store, extra_messages=TEAM_MESSAGES)
    runtime.send(TaskSubmitted(task="go"), to="team", run_id="r")
    with pytest.raises(StateConflictError):
        await runtime.run_until_idle()
    await runtime.run_until_idle()  # the same envelope again, as a redelivery
    result = await completed_result(runtime, "r", "team")
    assert result.speakers() == ["user", "a", "b"]
    assert model.requests_for("r", "team", 1) == 1
    state = await runtime.state_of("team", "r")
    assert isinstance(state, TeamState)
    assert state.model_calls == 2
    assert state.usage["team"] == Usage(prompt_tokens=80, completion_tokens=2)


async def test_a_selector_func_naming_a_stranger_fails_the_run() -> None:
    model = scripted({"a": text("x")})
    team = SelectorGroupChat(
        assistants(model, "a", "b"), model, termination=MaxMessageTermination(3), selector_func=lambda _: "zed"
    )
    with pytest.raises(SpeakerSelectionError):
        await team.run("go")


def test_a_selector_team_needs_two_participants() -> None:
    model = scripted({})
    with pytest.raises(AgentDefinitionError):
        SelectorGroupChat(assistants(model, "a"), model, max_turns=2)


class CountingStore(InMemoryStateStore):
    """Counts transcript reads and the manager's commits (its hops)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.hops = 0

    async def read(self, run_id: str, start: int, end: int | None = None) -> list[Mapping[str, Any]]:
        self.reads += 1
        return await super().read(run_id, start, end)

    async def commit(self, commit: Commit) -> str:
        self.hops += commit.agent == "team"
        return await super().commit(commit)


async def test_a_selector_hop_reads_the_transcript_at_most_once() -> None:
    model = scripted({"team": _pick(*"abcabcabc"), **{n: text(*"123") for n in "abc"}})
    team = SelectorGroupChat(assistants(model, "a", "b", "c"), model, termination=MaxMessageTermination(10))
    store = CountingStore()
    result = await team.run("go", store=store)
    assert len(result.transcript) == 10
    # Ten manager hops: the task hop and the stopping hop read nothing (all they need is in this hop), the eight hops
    # between read the selector's window once each (the next speaker is named a range, not sent the entries); each
    # of the nine participant turns reads the range it was named (hosted, that comes with the hop's one snapshot
    # query), and the result reads the whole transcript once.
    assert store.hops == 10
    assert store.reads == 8 + 9 + 1


async def test_a_cost_budget_prices_the_selector_calls_too() -> None:
    # Every call answers as model "scripted" at $1 per million prompt tokens: 100 tokens = $0.0001.
    model = scripted({"team": _pick("a", "b", "a", tokens=100_000), "a": text("x", "z", tokens=100), "b": text("y")})
    budget = CostBudgetTermination(0.25, PriceTable({"scripted": ModelPrice(prompt=1.0, completion=0.0)}))
    team = SelectorGroupChat(assistants(model, "a", "b", "c"), model, termination=budget, name="team")
    result = await team.run("go")
    # $0.1 per selector call: the third one spends the budget before anyone else is asked.
    assert result.speakers() == ["user", "a", "b"]
    assert result.stop_reason.startswith("Cost budget 0.25 reached, cost so far: 0.3")
