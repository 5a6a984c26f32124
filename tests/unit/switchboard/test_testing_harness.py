from __future__ import annotations

from datetime import timedelta

import pytest

from switchboard.agent import Agent, AgentContext, AgentState
from switchboard.testing import AgentHarness
from tests.unit.switchboard.sample_agents import Counter, CountState, Echo, Note, Ping, Pong


class Stamp(AgentState):
    at: str = ""


class Stamper(Agent[Stamp]):
    async def handle(self, message: Note, ctx: AgentContext[Stamp]) -> None:
        ctx.state.at = ctx.now().isoformat()


async def test_harness_collects_emitted_messages_and_state() -> None:
    harness = AgentHarness([Counter("counter"), Echo("echo")])
    harness.send(Ping(n=4), to="counter")
    harness.send(Ping(n=5), to="echo")
    assert await harness.run() == 2
    assert harness.single(Pong) == Pong(n=4)
    assert harness.assert_emitted(Note, text="Ping:5") == Note(text="Ping:5")
    assert await harness.state("counter", CountState) == CountState(count=1, seen=[4])
    assert [e.type for e in harness.envelopes()] == ["test.pong", "test.note"]


async def test_harness_assertions_fail_when_they_should() -> None:
    harness = AgentHarness([Counter("counter")])
    harness.send(Ping(n=1), to="counter")
    harness.send(Ping(n=2), to="counter")
    await harness.run()
    with pytest.raises(AssertionError, match=r"exactly one test.pong, got 2"):
        harness.single(Pong)
    with pytest.raises(AssertionError, match=r"no test.pong with"):
        harness.assert_emitted(Pong, n=3)
    with pytest.raises(AssertionError, match=r"expected no test.pong"):
        harness.assert_not_emitted(Pong)
    with pytest.raises(AssertionError, match="has no state"):
        await harness.state("counter", CountState, run_id="other")
    with pytest.raises(AssertionError, match="not Stamp"):
        await harness.state("counter", Stamp)


async def test_harness_clock_is_manual() -> None:
    harness = AgentHarness([Stamper("stamper")])
    harness.advance(timedelta(hours=2))
    harness.publish(Note(text="x"))
    await harness.run()
    assert (await harness.state("stamper", Stamp)).at == "2026-01-01T02:00:00+00:00"


async def test_harness_stops_runaway_loops() -> None:
    class Looper(Agent[CountState]):
        async def handle(self, message: Ping, ctx: AgentContext[CountState]) -> None:
            ctx.send(Ping(n=message.n), to=self.name)

    harness = AgentHarness([Looper("looper")])
    harness.send(Ping(n=0), to="looper")
    with pytest.raises(AssertionError, match="still busy after 100 messages"):
        await harness.run(max_messages=100)
