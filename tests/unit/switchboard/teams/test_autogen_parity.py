"""Side by side with AutoGen 0.7.5: the same scripted conversations through AutoGen's teams and ours give the same
speaker order and the same stop point, for every team type we share and every termination condition.

Both sides replay one script per agent: ours through `ScriptedModelClient`, AutoGen's through its own
`ReplayChatCompletionClient` (wrapped only to tick a shared fake clock or to call `ExternalTermination.set()` on a
given call). Tool turns use `reflect_on_tool_use=False` on our side, AutoGen's default, so both end a tool round
with a tool-call summary.
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from autogen_agentchat import conditions as ag
from autogen_agentchat.agents import AssistantAgent as AgAssistant
from autogen_agentchat.agents import BaseChatAgent
from autogen_agentchat.base import Response
from autogen_agentchat.base import TerminationCondition as AgCondition
from autogen_agentchat.conditions import _terminations as ag_terminations
from autogen_agentchat.messages import BaseChatMessage, StopMessage
from autogen_agentchat.teams import RoundRobinGroupChat as AgRoundRobin
from autogen_agentchat.teams import SelectorGroupChat as AgSelector
from autogen_agentchat.teams import Swarm as AgSwarm
from autogen_core import CancellationToken, FunctionCall
from autogen_core.models import CreateResult, ModelFamily, ModelInfo, RequestUsage
from autogen_ext.models.replay import ReplayChatCompletionClient

import switchboard.termination as sb
from switchboard.agent import Agent, AgentContext, ManualClock
from switchboard.agentchat import AssistantAgent
from switchboard.models.chat import ModelRequest, ModelResponse
from switchboard.models.scripted import ScriptedModelClient
from switchboard.protocol import TurnCompleted, TurnRequested
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.teams import RoundRobinGroupChat, SelectorGroupChat, Swarm
from switchboard.teams.group_chat import GroupChat
from switchboard.tools import FunctionTool
from tests.support.teams import scripted

Reply = dict[str, Any]
FUNCTION_MODEL = ModelInfo(
    vision=False, function_calling=True, json_output=False, family=ModelFamily.UNKNOWN, structured_output=False
)


def say(content: str, completion: int = 1) -> Reply:
    return {"content": content, "usage": {"prompt_tokens": 10, "completion_tokens": completion}}


def call(name: str, **arguments: Any) -> Reply:
    return {
        "tool_calls": [{"name": name, "arguments": arguments}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 1},
    }


def lookup(city: str) -> str:
    """Look up a city.

    Args:
        city: The city.
    """
    return f"facts about {city}"


class Tick:
    """A fake clock both sides share: every model call takes ten seconds."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.clock = ManualClock()

    def __call__(self) -> None:
        self.seconds += 10
        self.clock.advance(timedelta(seconds=10))

    def monotonic(self) -> float:
        return self.seconds


@dataclass
class Case:
    """One conversation: replies per agent, the conditions on both sides, and hooks on model calls."""

    script: dict[str, list[Reply]]
    ours: sb.TerminationCondition | None = None
    theirs: AgCondition | None = None
    max_turns: int | None = None
    tools: bool = False
    handoffs: dict[str, list[Any]] = field(default_factory=dict)
    on_call: dict[tuple[str, int], Callable[[], None]] = field(default_factory=dict)
    every_call: Callable[[], None] | None = None
    stopper: str | None = None

    def names(self) -> list[str]:
        return [*(n for n in self.script if n != "team"), *([self.stopper] if self.stopper else [])]


class HookedScript(ScriptedModelClient):
    """Our scripted model, calling the case's hooks on each agent call (by agent and call number)."""

    def __init__(self, case: Case) -> None:
        super().__init__(scripted(case.script)._script)
        self.case = case
        self.counts: dict[str, int] = {}

    async def create(self, request: ModelRequest) -> ModelResponse:
        n = self.counts.get(request.agent, 0)
        self.counts[request.agent] = n + 1
        _hooks(self.case, request.agent, n)
        return await super().create(request)


class HookedReplay(ReplayChatCompletionClient):
    """AutoGen's replay client over one agent's replies, calling the same hooks."""

    def __init__(self, case: Case, agent: str) -> None:
        super().__init__(
            [_create_result(reply, agent, i) for i, reply in enumerate(case.script.get(agent, []))], FUNCTION_MODEL
        )
        self.case, self.agent, self.calls = case, agent, 0

    async def create(self, messages: Sequence[Any], **kwargs: Any) -> CreateResult:
        self.calls += 1
        _hooks(self.case, self.agent, self.calls - 1)
        return await super().create(messages, **kwargs)


def _hooks(case: Case, agent: str, n: int) -> None:
    if case.every_call is not None:
        case.every_call()
    hook = case.on_call.get((agent, n))
    if hook is not None:
        hook()


def _create_result(reply: Reply, agent: str, index: int) -> CreateResult:
    usage = RequestUsage(**reply["usage"])
    if "tool_calls" in reply:
        calls = [
            FunctionCall(id=f"call_{agent}_{index}_{i}", name=c["name"], arguments=json.dumps(c.get("arguments", {})))
            for i, c in enumerate(reply["tool_calls"])
        ]
        return CreateResult(finish_reason="function_calls", content=calls, usage=usage, cached=False)
    return CreateResult(finish_reason="stop", content=reply["content"], usage=usage, cached=False)


class OurStopper(Agent[Any]):
    """Answers every turn with a stop message."""

    async def handle(self, message: TurnRequested, ctx: AgentContext[Any]) -> None:
        entry = TranscriptEntry(source=self.name, content="stop now", kind="stop")
        ctx.send(TurnCompleted(team=message.team, turn=message.turn, entry=entry), to=ctx.sender or message.team)


class TheirStopper(BaseChatAgent):
    """AutoGen's agent answering every turn with a StopMessage."""

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return (StopMessage,)

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        return Response(chat_message=StopMessage(content="stop now", source=self.name))

    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        return None


def _ours(case: Case, model: ScriptedModelClient) -> list[Agent[Any]]:
    agents: list[Agent[Any]] = []
    for name in case.names():
        if name == case.stopper:
            agents.append(OurStopper(name))
            continue
        agents.append(
            AssistantAgent(
                name,
                model_client=model,
                description=f"{name} role",
                tools=[FunctionTool(lookup)] if case.tools else [],
                handoffs=case.handoffs.get(name, []),
                reflect_on_tool_use=False,
            )
        )
    return agents


def _theirs(case: Case) -> list[Any]:
    agents: list[Any] = []
    for name in case.names():
        if name == case.stopper:
            agents.append(TheirStopper(name, description=f"{name} role"))
            continue
        agents.append(
            AgAssistant(
                name,
                model_client=HookedReplay(case, name),
                description=f"{name} role",
                tools=[lookup] if case.tools else None,
                handoffs=case.handoffs.get(name) or None,
            )
        )
    return agents


Builders = tuple[Callable[[Case, list[Agent[Any]], ScriptedModelClient], GroupChat], Callable[[Case, list[Any]], Any]]

ROUND_ROBIN: Builders = (
    lambda case, agents, _: RoundRobinGroupChat(agents, termination=case.ours, max_turns=case.max_turns),
    lambda case, agents: AgRoundRobin(agents, termination_condition=case.theirs, max_turns=case.max_turns),
)
SWARM: Builders = (
    lambda case, agents, _: Swarm(agents, termination=case.ours, max_turns=case.max_turns),
    lambda case, agents: AgSwarm(agents, termination_condition=case.theirs, max_turns=case.max_turns),
)


def _selector(func: Callable[[Sequence[Any]], str | None] | None) -> Builders:
    return (
        lambda case, agents, model: SelectorGroupChat(
            agents, model, termination=case.ours, max_turns=case.max_turns, selector_func=func, name="team"
        ),
        lambda case, agents: AgSelector(
            agents,
            HookedReplay(case, "team"),
            termination_condition=case.theirs,
            max_turns=case.max_turns,
            selector_func=func,
        ),
    )


async def _both(case: Case, builders: Builders, tick: Tick | None = None) -> tuple[list[str], list[str]]:
    model = HookedScript(case)
    ours = await builders[0](case, _ours(case, model), model).run("the task", clock=tick.clock if tick else None)
    theirs = await builders[1](case, _theirs(case)).run(task="the task")
    their_speakers = [m.source for m in theirs.messages if isinstance(m, BaseChatMessage)]
    assert ours.stop_reason
    assert theirs.stop_reason
    return ours.speakers(), their_speakers


def _rr(ours: sb.TerminationCondition, theirs: AgCondition, **script: list[Reply]) -> Case:
    return Case(script=dict(script), ours=ours, theirs=theirs)


ROUND_ROBIN_CASES = {
    "max-message": _rr(sb.MaxMessageTermination(4), ag.MaxMessageTermination(4), a=[say("1"), say("3")], b=[say("2")]),
    "text-mention": _rr(
        sb.TextMentionTermination("DONE"), ag.TextMentionTermination("DONE"), a=[say("x"), say("DONE")], b=[say("y")]
    ),
    "text-mention-sources": _rr(
        sb.TextMentionTermination("DONE", sources=["b"]),
        ag.TextMentionTermination("DONE", sources=["b"]),
        a=[say("DONE"), say("DONE")],
        b=[say("no"), say("DONE")],
    ),
    "token-usage": _rr(
        sb.TokenUsageTermination(max_completion_token=12),
        ag.TokenUsageTermination(max_completion_token=12),
        a=[say("x", 5), say("z", 5)],
        b=[say("y", 5), say("w", 5)],
    ),
    "source-match": _rr(sb.SourceMatchTermination(["b"]), ag.SourceMatchTermination(["b"]), a=[say("x")], b=[say("y")]),
    "text-message-task": _rr(sb.TextMessageTermination(), ag.TextMessageTermination(), a=[say("x")]),
    "functional": _rr(
        sb.FunctionalTermination(lambda ms: any("fin" in m.to_text() for m in ms)),
        ag.FunctionalTermination(lambda ms: any("fin" in m.to_text() for m in ms)),
        a=[say("x"), say("fin")],
        b=[say("y")],
    ),
    "and-latches": _rr(
        sb.TextMentionTermination("X") & sb.MaxMessageTermination(5),
        ag.TextMentionTermination("X") & ag.MaxMessageTermination(5),
        a=[say("X"), say("z"), say("q")],
        b=[say("y"), say("w")],
    ),
    "or-first": _rr(
        sb.TextMentionTermination("X") | sb.MaxMessageTermination(9),
        ag.TextMentionTermination("X") | ag.MaxMessageTermination(9),
        a=[say("p"), say("q")],
        b=[say("X")],
    ),
}


@pytest.mark.parametrize("name", sorted(ROUND_ROBIN_CASES))
async def test_round_robin_with_each_condition_stops_where_autogen_stops(name: str) -> None:
    ours, theirs = await _both(ROUND_ROBIN_CASES[name], ROUND_ROBIN)
    assert ours == theirs


async def test_max_turns_stops_where_autogen_stops() -> None:
    case = Case(script={"a": [say("1"), say("3")], "b": [say("2")]}, max_turns=3)
    ours, theirs = await _both(case, ROUND_ROBIN)
    assert ours == theirs == ["user", "a", "b", "a"]


async def test_tool_conditions_stop_where_autogen_stops() -> None:
    tool_turns = {"a": [call("lookup", city="Oslo"), call("lookup", city="Rome")], "b": [say("noted"), say("ok")]}
    for ours_condition, their_condition in [
        (sb.FunctionCallTermination("lookup"), ag.FunctionCallTermination("lookup")),
        (sb.TextMessageTermination("b"), ag.TextMessageTermination("b")),
        (
            sb.MaxMessageTermination(6, include_agent_event=True),
            ag.MaxMessageTermination(6, include_agent_event=True),
        ),
    ]:
        case = Case(script=tool_turns, ours=ours_condition, theirs=their_condition, tools=True)
        ours, theirs = await _both(case, ROUND_ROBIN)
        assert ours == theirs, ours_condition


async def test_stop_message_termination_stops_where_autogen_stops() -> None:
    case = Case(
        script={"a": [say("x")]}, ours=sb.StopMessageTermination(), theirs=ag.StopMessageTermination(), stopper="s"
    )
    ours, theirs = await _both(case, ROUND_ROBIN)
    assert ours == theirs == ["user", "a", "s"]


async def test_timeout_termination_stops_where_autogen_stops_on_a_shared_fake_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tick = Tick()
    # AutoGen's condition reads time.monotonic through its module; only that module sees the fake clock.
    monkeypatch.setattr(ag_terminations, "time", types.SimpleNamespace(monotonic=tick.monotonic))
    script = {"a": [say("1"), say("3"), say("5")], "b": [say("2"), say("4")]}
    case = Case(script=script, ours=sb.TimeoutTermination(25), theirs=ag.TimeoutTermination(25), every_call=tick)
    model = HookedScript(case)
    ours = await ROUND_ROBIN[0](case, _ours(case, model), model).run("the task", clock=tick.clock)
    tick.seconds = 0
    theirs = await ROUND_ROBIN[1](case, _theirs(case)).run(task="the task")
    assert ours.speakers() == [m.source for m in theirs.messages if isinstance(m, BaseChatMessage)]
    assert ours.speakers() == ["user", "a", "b", "a"]


async def test_external_termination_stops_where_autogen_stops() -> None:
    script = {"a": [say("1"), say("3"), say("5")], "b": [say("2"), say("4")]}
    our_stop, their_stop = sb.ExternalTermination(), ag.ExternalTermination()
    case = Case(
        script=script, ours=our_stop | sb.MaxMessageTermination(9), theirs=their_stop | ag.MaxMessageTermination(9)
    )
    case.on_call = {("b", 0): our_stop.set}
    model = HookedScript(case)
    ours = await ROUND_ROBIN[0](case, _ours(case, model), model).run("the task")
    case.on_call = {("b", 0): their_stop.set}
    theirs = await ROUND_ROBIN[1](case, _theirs(case)).run(task="the task")
    assert (
        ours.speakers() == [m.source for m in theirs.messages if isinstance(m, BaseChatMessage)] == ["user", "a", "b"]
    )


def _after_a_then_c(messages: Sequence[Any]) -> str | None:
    last = messages[-1].source
    return {"user": "b", "b": "a", "a": "c"}.get(last)


async def test_selector_group_chat_with_a_custom_selector_function_matches_autogen() -> None:
    case = Case(
        script={"a": [say("from a")], "b": [say("from b")], "c": [say("DONE")]},
        ours=sb.TextMentionTermination("DONE"),
        theirs=ag.TextMentionTermination("DONE"),
    )
    ours, theirs = await _both(case, _selector(_after_a_then_c))
    assert ours == theirs == ["user", "b", "a", "c"]


async def test_selector_group_chat_choosing_by_model_matches_autogen() -> None:
    # The selector model names speakers (one invalid answer retried); the function defers to it after b.
    case = Case(
        script={
            "team": [say("c"), say("nobody"), say("b"), say("a")],
            "a": [say("x")],
            "b": [say("y"), say("yy")],
            "c": [say("z")],
        },
        ours=sb.MaxMessageTermination(5),
        theirs=ag.MaxMessageTermination(5),
    )
    ours, theirs = await _both(case, _selector(lambda ms: "b" if ms[-1].source == "user" else None))
    assert ours == theirs == ["user", "b", "c", "b", "a"]


async def test_swarm_handoffs_and_handoff_termination_match_autogen() -> None:
    case = Case(
        script={
            "a": [call("transfer_to_b"), say("a again"), call("transfer_to_user")],
            "b": [call("lookup", city="Oslo"), call("transfer_to_a")],
        },
        ours=sb.HandoffTermination("user") | sb.MaxMessageTermination(10),
        theirs=ag.HandoffTermination("user") | ag.MaxMessageTermination(10),
        tools=True,
        handoffs={"a": ["b", "user"], "b": ["a"]},
    )
    ours, theirs = await _both(case, SWARM)
    assert ours == theirs == ["user", "a", "b", "b", "a", "a"]
