"""The run's transcript: appends buffered into the commit, reads merging stored and pending entries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from switchboard.agent import AgentContext, AgentState, function_agent
from switchboard.runtime import Dispatcher, InMemoryStateStore, TranscriptRecord
from switchboard.testing import AgentHarness
from tests.unit.switchboard.sample_agents import Ping

RUN = "run-1"


class Log(AgentState):
    length: int = 0
    read: list[str] = []


@function_agent("scribe", state_type=Log)
async def scribe(message: Ping, ctx: AgentContext[Log]) -> None:
    for _ in range(message.n):
        ctx.transcript.append({"content": f"e{ctx.state.length}"}, index=ctx.state.length)
        ctx.state.length += 1
    ctx.state.read = [entry["content"] for entry in await ctx.transcript.since(max(0, ctx.state.length - 3))]


class CountingReads(InMemoryStateStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads: list[tuple[int, int | None]] = []

    async def read(self, run_id: str, start: int, end: int | None = None) -> list[Mapping[str, Any]]:
        self.reads.append((start, end))
        return await super().read(run_id, start, end)


async def test_appends_go_into_the_commit_with_their_indexes_and_nowhere_else() -> None:
    store = InMemoryStateStore()
    dispatcher = Dispatcher.for_agents([scribe], store)
    harness = AgentHarness([scribe])
    envelope = harness.send(Ping(n=2), to="scribe")
    result = await dispatcher.dispatch(envelope)
    assert result.commit.transcript == (
        TranscriptRecord(0, {"content": "e0"}),
        TranscriptRecord(1, {"content": "e1"}),
    )
    assert await store.read("test-run", 0) == []  # not stored until the host commits
    await store.commit(result.commit)
    assert [e["content"] for e in await store.read("test-run", 0)] == ["e0", "e1"]


async def test_since_merges_committed_and_pending_entries_reading_only_what_is_stored() -> None:
    store = CountingReads()
    dispatcher = Dispatcher.for_agents([scribe], store)
    harness = AgentHarness([scribe])
    first = await dispatcher.dispatch(harness.send(Ping(n=2), to="scribe"))
    assert store.reads == []  # everything asked for was pending
    await store.commit(first.commit)
    second = await dispatcher.dispatch(harness.send(Ping(n=2), to="scribe"))
    assert second.state.model_dump()["read"] == ["e1", "e2", "e3"]
    assert store.reads == [(1, 2)]  # only the committed part, bounded by the first pending index


async def test_a_team_of_one_writer_keeps_a_dense_transcript_through_the_harness() -> None:
    harness = AgentHarness([scribe])
    harness.send(Ping(n=1), to="scribe")
    harness.send(Ping(n=3), to="scribe")
    await harness.run()
    entries = await harness.store.read(harness.run_id, 0)
    assert [e["content"] for e in entries] == ["e0", "e1", "e2", "e3"]
    state = await harness.state("scribe", Log)
    assert state.read == ["e1", "e2", "e3"]


def test_an_index_appended_twice_in_one_call_is_refused() -> None:
    from switchboard.agent.transcript_buffer import EmptyTranscript, TranscriptBuffer

    buffer = TranscriptBuffer(EmptyTranscript(), RUN)
    buffer.append({"content": "a"}, index=0)
    with pytest.raises(ValueError, match="appended twice"):
        buffer.append({"content": "b"}, index=0)
    with pytest.raises(ValueError, match="negative"):
        buffer.append({"content": "b"}, index=-1)
