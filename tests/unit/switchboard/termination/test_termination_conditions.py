from __future__ import annotations

from switchboard.protocol.transcript import TranscriptEntry
from switchboard.termination import (
    ConditionState,
    MaxMessageTermination,
    TerminationCondition,
    TextMentionTermination,
)


def _e(source: str, content: str) -> TranscriptEntry:
    return TranscriptEntry(source=source, content=content)


async def _feed(condition: TerminationCondition, entries: list[TranscriptEntry]) -> list[str | None]:
    state = condition.initial_state()
    seen: list[str | None] = []
    for entry in entries:
        state = await condition.check([entry], state)
        seen.append(state.stopped)
    return seen


async def test_max_messages_counts_every_entry_including_the_task() -> None:
    stops = await _feed(MaxMessageTermination(3), [_e("user", "task"), _e("a", "x"), _e("b", "y")])
    assert stops[:2] == [None, None]
    assert stops[2] == "maximum number of messages 3 reached, current message count: 3"


async def test_text_mention_respects_sources() -> None:
    condition = TextMentionTermination("APPROVE", sources=["reviewer"])
    stops = await _feed(condition, [_e("writer", "please APPROVE"), _e("reviewer", "APPROVE")])
    assert stops[0] is None
    assert stops[1] == "text 'APPROVE' mentioned by reviewer"


async def test_or_stops_when_either_fires_and_keeps_all_counters() -> None:
    condition = MaxMessageTermination(10) | TextMentionTermination("DONE")
    state = await condition.check([_e("a", "one"), _e("b", "DONE")], condition.initial_state())
    assert state.stopped == "text 'DONE' mentioned by b"
    assert state.children[0].count == 2


async def test_and_needs_every_condition_possibly_on_different_messages() -> None:
    condition = TextMentionTermination("DONE") & MaxMessageTermination(3)
    stops = await _feed(condition, [_e("a", "DONE"), _e("b", "x"), _e("c", "y")])
    assert stops[:2] == [None, None]
    assert stops[2] == ("text 'DONE' mentioned by a; maximum number of messages 3 reached, current message count: 3")


async def test_combinators_flatten_and_state_round_trips_through_json() -> None:
    a, b, c = MaxMessageTermination(5), TextMentionTermination("X"), TextMentionTermination("Y")
    condition = a | b | c
    assert len(condition.initial_state().children) == 3
    state = await condition.check([_e("a", "hello")], condition.initial_state())
    restored = ConditionState.model_validate_json(state.model_dump_json())
    later = await condition.check([_e("a", "Y")], restored)
    assert later.children[0].count == 2
    assert later.stopped == "text 'Y' mentioned by a"
