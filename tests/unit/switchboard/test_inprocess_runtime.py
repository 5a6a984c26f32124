from __future__ import annotations

import pytest

from switchboard.agent import Agent, AgentContext, NoState
from switchboard.runtime import InProcessRuntime
from tests.unit.switchboard.sample_agents import Boom, Counter, CountState, Echo, Failing, Note, Ping, Pong


class Recorder(Agent[NoState]):
    """Remembers, in a shared list, every note it gets."""

    log: list[str] = []

    async def handle(self, message: Note, ctx: AgentContext[NoState]) -> None:
        self.log.append(f"{self.name}:{message.text}")


async def test_publish_reaches_every_subscriber_of_the_type() -> None:
    log: list[str] = []
    first, second = Recorder("first"), Recorder("second")
    first.log = second.log = log
    runtime = InProcessRuntime([first, second])
    runtime.publish(Note(text="hello"), run_id="r")
    assert await runtime.run_until_idle() == 2
    assert log == ["first:hello", "second:hello"]


async def test_send_reaches_only_its_target_and_replies_flow_back() -> None:
    log: list[str] = []
    recorder = Recorder("recorder")
    recorder.log = log
    runtime = InProcessRuntime([Counter("a"), Counter("b"), Echo("echo"), recorder])
    runtime.send(Ping(n=1), to="a", run_id="r", source="echo")
    await runtime.run_until_idle()
    # a counts, replies Pong to echo, echo publishes a note the recorder takes.
    assert log == ["recorder:Pong:1"]
    a = await runtime.state_of("a", "r")
    assert a == CountState(count=1, seen=[1])
    assert await runtime.state_of("b", "r") is None


async def test_delivery_order_is_fifo_and_deterministic() -> None:
    async def trace() -> list[str]:
        log: list[str] = []
        recorder = Recorder("recorder")
        recorder.log = log
        runtime = InProcessRuntime([Echo("echo"), recorder])
        for n in range(5):
            runtime.send(Ping(n=n), to="echo", run_id="r")
            runtime.send(Pong(n=n), to="echo", run_id="r")
        await runtime.run_until_idle()
        return log

    first = await trace()
    assert first == [f"recorder:{kind}:{n}" for n in range(5) for kind in ("Ping", "Pong")]
    assert await trace() == first


async def test_handler_errors_surface_and_the_message_stays_queued() -> None:
    runtime = InProcessRuntime([Failing("failing"), Counter("counter")])
    runtime.send(Ping(n=1), to="failing", run_id="r")
    runtime.send(Ping(n=2), to="counter", run_id="r")
    with pytest.raises(Boom):
        await runtime.run_until_idle()
    assert runtime.pending == 2
    dropped = runtime.drop_head()
    assert dropped.target == "failing"
    assert await runtime.run_until_idle() == 1
    assert await runtime.state_of("failing", "r") is None


async def test_publish_with_no_subscriber_is_recorded_as_unrouted() -> None:
    runtime = InProcessRuntime([Counter("counter")], extra_messages=[Note], keep_history=True)
    env = runtime.publish(Note(text="result"), run_id="r")
    assert await runtime.run_until_idle() == 0
    assert runtime.unrouted == [env]
    assert runtime.history == [env]


async def test_max_messages_bounds_a_run() -> None:
    class Looper(Agent[NoState]):
        async def handle(self, message: Ping, ctx: AgentContext[NoState]) -> None:
            ctx.send(Ping(n=message.n + 1), to=self.name)

    runtime = InProcessRuntime([Looper("looper")], keep_history=True)
    runtime.send(Ping(n=0), to="looper", run_id="r")
    assert await runtime.run_until_idle(max_messages=50) == 50
    assert runtime.pending == 1
    assert runtime.results[-1].message == Ping(n=49)


async def test_runs_keep_separate_state() -> None:
    runtime = InProcessRuntime([Counter("counter")])
    for run in ("r1", "r2", "r1"):
        runtime.send(Ping(n=7), to="counter", run_id=run)
    await runtime.run_until_idle()
    assert await runtime.state_of("counter", "r1") == CountState(count=2, seen=[7, 7])
    assert await runtime.state_of("counter", "r2") == CountState(count=1, seen=[7])


def test_agent_names_must_be_unique() -> None:
    from switchboard.errors import AgentDefinitionError

    with pytest.raises(AgentDefinitionError, match="two agents are named 'x'"):
        InProcessRuntime([Counter("x"), Echo("x")])


async def test_unknown_target_surfaces_as_unroutable() -> None:
    from switchboard.errors import UnroutableMessageError

    runtime = InProcessRuntime([Counter("counter")], keep_history=True)
    runtime.send(Ping(n=1), to="nobody", run_id="r")
    with pytest.raises(UnroutableMessageError):
        await runtime.run_until_idle()
    assert isinstance(runtime.history[0].payload["n"], int)
    assert Pong not in runtime.router.registry


async def test_replies_to_the_client_are_collected_not_dispatched() -> None:
    runtime = InProcessRuntime([Counter("counter")])
    runtime.send(Ping(n=3), to="counter", run_id="r")
    assert await runtime.run_until_idle() == 1
    (reply,) = runtime.to_client
    assert reply.type == Pong.message_type
    assert reply.source == "counter"
    assert dict(reply.payload) == {"n": 3}


async def test_history_is_off_by_default_so_long_runs_do_not_grow() -> None:
    runtime = InProcessRuntime([Counter("counter")])
    runtime.send(Ping(n=1), to="counter", run_id="r")
    await runtime.run_until_idle()
    assert runtime.history == []
    assert runtime.results == []
    assert len(runtime.to_client) == 1
