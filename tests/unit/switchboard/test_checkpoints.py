"""Checkpointed steps: a handler re-run after a crash replays finished calls; effect keys survive redelivery."""

from __future__ import annotations

from typing import Any

import pytest

from switchboard.agent import AgentContext, AgentState, function_agent
from switchboard.agentchat import AssistantAgent, AssistantState
from switchboard.errors import AgentDefinitionError
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.protocol.messages import TEAM_MESSAGES, TurnCompleted, TurnRequested
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.runtime import Commit, InMemoryStateStore, InProcessRuntime
from switchboard.testing import received
from switchboard.tools import FunctionTool
from tests.unit.switchboard.sample_agents import Ping

RUN = "run-1"


class Crash(BaseException):
    """A process dying mid-handler: not an `Exception`, so nothing in the framework turns it into a result."""


class CrashingCommits(InMemoryStateStore):
    """Dies at the first `crashes` commits: the handler ran, its steps were journaled, nothing was committed."""

    def __init__(self, crashes: int = 1) -> None:
        super().__init__()
        self.crashes = crashes

    async def commit(self, commit: Commit) -> str:
        if self.crashes:
            self.crashes -= 1
            raise Crash
        return await super().commit(commit)


class EffectLedger:
    """A side-effecting service that does each effect once per idempotency key."""

    def __init__(self) -> None:
        self.effects: dict[str, str] = {}
        self.calls: list[str] = []

    def send_mail(self, to: str, idempotency_key: str) -> str:
        """Send a mail.

        Args:
            to: The recipient.
        """
        self.calls.append(idempotency_key)
        self.effects.setdefault(idempotency_key, to)
        return f"sent to {to}"


def _ask(text: str) -> TurnRequested:
    return TurnRequested(team="team", turn=0, new_messages=(TranscriptEntry(source="user", content=text),))


def _assistant(model: ScriptedModelClient, tools: list[FunctionTool]) -> AssistantAgent:
    return AssistantAgent("helper", model_client=model, tools=tools, tool_choice="send_mail" if tools else "auto")


def _scripted(*entries: dict[str, Any]) -> ScriptedModelClient:
    return ScriptedModelClient(Script.model_validate({"agents": {"helper": list(entries)}}))


async def test_a_turn_rerun_after_a_crash_does_not_call_the_model_or_the_tool_again() -> None:
    model = _scripted(
        {"tool_calls": [{"name": "send_mail", "arguments": {"to": "ops"}}]},
        {"content": "Mail sent."},
    )
    ledger = EffectLedger()
    store = CrashingCommits()
    runtime = InProcessRuntime(
        [_assistant(model, [FunctionTool(ledger.send_mail, side_effects=True)])],
        store=store,
        extra_messages=TEAM_MESSAGES,
    )
    runtime.send(_ask("mail ops"), to="helper", run_id=RUN)
    with pytest.raises(Crash):
        await runtime.run_until_idle()
    assert len(model.requests) == 2
    assert len(ledger.calls) == 1
    # The broker redelivers the same message: every step replays from the journal.
    await runtime.run_until_idle()
    assert len(model.requests) == 2
    assert len(ledger.calls) == 1
    (reply,) = runtime.to_client  # answered to the sender, the client
    done = received(runtime, reply)
    assert isinstance(done, TurnCompleted)
    assert done.answer.content == "Mail sent."
    state = await runtime.state_of("helper", RUN)
    assert isinstance(state, AssistantState)
    assert state.model_calls == 2


async def test_model_requests_carry_their_step_and_replays_keep_the_numbering() -> None:
    model = _scripted({"content": "one"}, {"content": "two"})
    store = CrashingCommits()
    runtime = InProcessRuntime([_assistant(model, [])], store=store, extra_messages=TEAM_MESSAGES)
    runtime.send(_ask("first"), to="helper", run_id=RUN)
    runtime.send(_ask("second"), to="helper", run_id=RUN)
    with pytest.raises(Crash):
        await runtime.run_until_idle()
    await runtime.run_until_idle()
    steps = [(r.step.run_id, r.step.agent, r.step.index) for r in model.requests if r.step is not None]
    assert steps == [(RUN, "helper", 0), (RUN, "helper", 1)]


async def test_a_crash_inside_a_side_effecting_tool_retries_it_with_the_same_key() -> None:
    ledger = EffectLedger()
    crashes = [True]

    def send_mail(to: str, idempotency_key: str) -> str:
        """Send a mail, dying right after the effect the first time.

        Args:
            to: The recipient.
        """
        result = ledger.send_mail(to, idempotency_key)
        if crashes.pop() if crashes else False:
            raise Crash
        return result

    model = _scripted({"tool_calls": [{"name": "send_mail", "arguments": {"to": "ops"}}]}, {"content": "done"})
    tool = FunctionTool(send_mail, side_effects=True)
    runtime = InProcessRuntime([_assistant(model, [tool])], extra_messages=TEAM_MESSAGES)
    runtime.send(_ask("mail ops"), to="helper", run_id=RUN)
    with pytest.raises(Crash):
        await runtime.run_until_idle()
    await runtime.run_until_idle()
    assert len(ledger.calls) == 2  # the tool ran again: it had not finished
    assert ledger.calls[0] == ledger.calls[1]  # ... with the same key, so the effect happened once
    assert list(ledger.effects.values()) == ["ops"]
    assert ledger.calls[0].startswith(f"{RUN}:helper:")
    assert len(model.requests) == 2  # the model call before the tool was replayed, not repeated


class Keys(AgentState):
    keys: list[str] = []


async def test_idempotency_keys_are_stable_across_redelivery_and_distinct_per_step() -> None:
    seen: list[list[str]] = []
    fail = [True]

    @function_agent("keyed", state_type=Keys)
    async def keyed(message: Ping, ctx: AgentContext[Keys]) -> None:
        keys = [ctx.idempotency_key()]

        async def effect() -> str:
            keys.append(ctx.idempotency_key("a"))
            return "ok"

        for _ in range(2):
            await ctx.checkpoint("tool", effect, encode=str, decode=str)
        keys.append(ctx.idempotency_key())
        seen.append(keys)
        if fail.pop() if fail else False:
            raise Crash

    runtime = InProcessRuntime([keyed], store=InMemoryStateStore())
    envelope = runtime.send(Ping(n=1), to="keyed", run_id=RUN)
    with pytest.raises(Crash):
        await runtime.run_until_idle()
    await runtime.run_until_idle()
    first, second = seen
    m = envelope.message_id
    assert first[0] == f"{RUN}:keyed:{m}:0"
    assert first[1:] == [f"{RUN}:keyed:{m}:0:a", f"{RUN}:keyed:{m}:1:a", f"{RUN}:keyed:{m}:2"]
    # Replayed steps do not run their call again, but the keys the handler computes are the same.
    assert second == [first[0], first[3]]


async def test_a_checkpoint_that_raises_records_nothing() -> None:
    calls = 0

    @function_agent("flaky")
    async def flaky(message: Ping, ctx: AgentContext[Any]) -> None:
        async def call() -> int:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise RuntimeError("model down")
            return calls

        await ctx.checkpoint("chat", call, encode=int, decode=int)

    store = InMemoryStateStore()
    runtime = InProcessRuntime([flaky], store=store)
    runtime.send(Ping(n=1), to="flaky", run_id=RUN)
    with pytest.raises(RuntimeError):
        await runtime.run_until_idle()
    assert store.steps_recorded == 0
    await runtime.run_until_idle()
    assert calls == 2


def test_a_side_effecting_tool_needs_a_key_parameter_that_the_model_never_sees() -> None:
    def charge(amount: int) -> str:
        """Charge."""
        return "ok"

    with pytest.raises(AgentDefinitionError, match="idempotency_key"):
        FunctionTool(charge, side_effects=True)
    tool = FunctionTool(EffectLedger().send_mail, side_effects=True)
    assert list(tool.spec.parameters["properties"]) == ["to"]
    assert tool.spec.parameters["required"] == ["to"]


async def test_a_side_effecting_tool_outside_a_host_gets_a_fresh_key() -> None:
    from switchboard.models.chat import ToolCall

    ledger = EffectLedger()
    tool = FunctionTool(ledger.send_mail, side_effects=True)
    await tool.run(ToolCall(id="c1", name="send_mail", arguments='{"to": "a"}'))
    result = await tool.run(ToolCall(id="c1", name="send_mail", arguments='{"to": "a"}'), idempotency_key="k")
    assert result.content == "sent to a"
    assert len(set(ledger.calls)) == 2
    assert ledger.calls[1] == "k"
