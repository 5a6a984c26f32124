"""Every condition on hand-made deltas: what fires it, what does not, latching, and budgets over manager calls."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from switchboard.errors import AgentDefinitionError
from switchboard.models.chat import Usage
from switchboard.protocol.transcript import EntryKind, TranscriptEntry
from switchboard.termination import (
    ConditionState,
    CostBudgetTermination,
    ExternalTermination,
    FunctionalTermination,
    FunctionCallTermination,
    HandoffTermination,
    MaxMessageTermination,
    ModelCall,
    ModelPrice,
    PriceTable,
    RunDelta,
    SourceMatchTermination,
    StopMessageTermination,
    TerminationCondition,
    TextMessageTermination,
    TimeoutTermination,
    TokenUsageTermination,
    ToolCallBudgetTermination,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _e(source: str, kind: EntryKind = "text", **fields: object) -> TranscriptEntry:
    return TranscriptEntry.model_validate(
        {"source": source, "content": fields.pop("content", "x"), "kind": kind, **fields}
    )


async def _stops(condition: TerminationCondition, deltas: Sequence[RunDelta]) -> list[str | None]:
    state = condition.initial_state()
    seen: list[str | None] = []
    for delta in deltas:
        state = await condition.check(delta, state)
        # Every state survives the trip through JSON (it is persisted with the manager's state).
        state = ConditionState.model_validate_json(state.model_dump_json())
        seen.append(state.stopped)
    return seen


def _d(*entries: TranscriptEntry) -> RunDelta:
    return RunDelta(entries=entries)


@pytest.mark.parametrize(
    ("condition", "quiet", "firing", "reason"),
    [
        (StopMessageTermination(), _e("a", content="stop"), _e("a", "stop"), "Stop message received"),
        (
            HandoffTermination("user"),
            _e("a", "handoff", target="b"),
            _e("a", "handoff", target="user"),
            "Handoff to user from a detected.",
        ),
        (SourceMatchTermination(["b"]), _e("a"), _e("b"), "'b' answered"),
        (TextMessageTermination("b"), _e("b", "tool_summary"), _e("b"), "Text message received from 'b'"),
        (
            FunctionCallTermination("pay"),
            _e("a", tool_calls=("look",)),
            _e("a", tool_calls=("look", "pay")),
            "Function 'pay' was executed.",
        ),
        (
            FunctionalTermination(lambda entries: entries[-1].content == "done"),
            _e("a"),
            _e("a", content="done"),
            "Functional termination condition met",
        ),
    ],
)
async def test_each_message_condition_fires_on_its_message_only(
    condition: TerminationCondition, quiet: TranscriptEntry, firing: TranscriptEntry, reason: str
) -> None:
    assert await _stops(condition, [_d(quiet), _d(quiet), _d(firing), _d(quiet)]) == [None, None, reason, reason]


async def test_functional_termination_takes_an_async_function_and_ignores_deltas_without_entries() -> None:
    asked: list[int] = []

    async def done(entries: Sequence[TranscriptEntry]) -> bool:
        asked.append(len(entries))
        return any(e.content == "done" for e in entries)

    stops = await _stops(FunctionalTermination(done), [RunDelta(), _d(_e("a"), _e("b", content="done"))])
    assert stops == [None, "Functional termination condition met"]
    assert asked == [2]


async def test_text_message_termination_counts_the_task_as_a_text_message_as_autogen_does() -> None:
    assert await _stops(TextMessageTermination(), [_d(_e("user", "task"))]) == ["Text message received from 'user'"]


async def test_max_messages_may_count_tool_rounds_as_agent_events() -> None:
    entry = _e("a", tool_rounds=2, tool_calls=("t", "t"))
    assert await _stops(MaxMessageTermination(3), [_d(entry), _d(entry)]) == [None, None]
    assert (await _stops(MaxMessageTermination(5, include_agent_event=True), [_d(entry)]))[0] is not None


async def test_external_termination_fires_at_the_next_check_after_set() -> None:
    condition = ExternalTermination()
    state = await condition.check(_d(_e("a")), condition.initial_state())
    assert state.stopped is None
    condition.set()
    state = await condition.check(_d(_e("b")), state)
    assert state.stopped == "External termination requested"


async def test_token_budget_counts_entries_and_the_managers_own_calls() -> None:
    condition = TokenUsageTermination(max_total_token=90)
    turn = _e("a", usage=Usage(prompt_tokens=30, completion_tokens=10))
    selector = ModelCall(agent="team", model="m", usage=Usage(prompt_tokens=50, completion_tokens=5))
    stops = await _stops(condition, [_d(turn), RunDelta(calls=(selector,)), _d(_e("b"))])
    assert stops[:1] == [None]
    assert (
        stops[1]
        == "Token usage limit reached, total token count: 95, prompt token count: 80, completion token count: 15."
    )
    prompt_only = TokenUsageTermination(max_prompt_token=30)
    assert (await _stops(prompt_only, [_d(turn)]))[0] is not None


async def test_cost_budget_prices_each_model_by_the_longest_matching_name() -> None:
    prices = PriceTable({"gpt-4o": ModelPrice(2.5, 10.0), "gpt-4o-mini": ModelPrice(0.15, 0.6)})
    assert prices.price("gpt-4o-mini-2024-07-18") == ModelPrice(0.15, 0.6)
    assert prices.price("gpt-4o-2024-08-06") == ModelPrice(2.5, 10.0)
    # An unknown model is priced at the dearest price, so it cannot make the budget look unspent.
    assert prices.price("mystery") == ModelPrice(2.5, 10.0)
    condition = CostBudgetTermination(0.01, prices)
    cheap = _e("a", model="gpt-4o-mini", usage=Usage(prompt_tokens=10_000, completion_tokens=1_000))  # $0.0021
    dear = ModelCall(agent="team", model="gpt-4o", usage=Usage(prompt_tokens=2_000, completion_tokens=500))  # $0.01
    stops = await _stops(condition, [_d(cheap), RunDelta(calls=(dear,))])
    assert stops[0] is None
    assert stops[1] is not None
    assert stops[1].startswith("Cost budget 0.01 reached, cost so far: 0.0121")


async def test_tool_call_budget_counts_calls_across_turns() -> None:
    turn = _e("a", tool_calls=("x", "y"))
    assert await _stops(ToolCallBudgetTermination(3), [_d(turn), _d(_e("b")), _d(turn)]) == [
        None,
        None,
        "Tool call budget 3 reached, tool calls: 4",
    ]


async def test_timeout_measures_from_the_first_check_with_a_persisted_start() -> None:
    condition = TimeoutTermination(60)
    stops = await _stops(
        condition,
        [
            RunDelta(entries=(_e("user", "task"),), now=T0),
            RunDelta(entries=(_e("a"),), now=T0 + timedelta(seconds=59)),
            RunDelta(calls=(), now=T0 + timedelta(seconds=60)),
        ],
    )
    assert stops == [None, None, "Timeout of 60 seconds reached"]


async def test_and_latches_each_child_and_or_keeps_every_counter() -> None:
    latched = SourceMatchTermination(["a"]) & SourceMatchTermination(["b"]) & MaxMessageTermination(4)
    stops = await _stops(latched, [_d(_e("a")), _d(_e("c")), _d(_e("b")), _d(_e("c"))])
    assert stops[:3] == [None, None, None]
    assert stops[3] == "'a' answered; 'b' answered; maximum number of messages 4 reached, current message count: 4"
    either = MaxMessageTermination(9) | TokenUsageTermination(max_total_token=1000)
    state = await either.check(_d(_e("a", usage=Usage(prompt_tokens=7))), either.initial_state())
    assert (state.children[0].count, state.children[1].prompt_tokens) == (1, 7)


@pytest.mark.parametrize(
    "build",
    [
        lambda: MaxMessageTermination(0),
        lambda: TokenUsageTermination(),
        lambda: TimeoutTermination(0),
        lambda: ToolCallBudgetTermination(0),
        lambda: CostBudgetTermination(1, PriceTable({})),
    ],
)
def test_conditions_that_could_never_fire_are_rejected(build: object) -> None:
    with pytest.raises(AgentDefinitionError):
        build()  # type: ignore[operator]
