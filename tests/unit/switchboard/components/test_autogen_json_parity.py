"""AutoGen 0.7.5's team JSON runs here unchanged: each team kind is built with autogen-agentchat, dumped by
AutoGen, loaded by `switchboard.load_component`, and run on both sides from the same replayed model replies; the
speakers and the stop point match. Our dump of the loaded team is then loaded back by AutoGen's `ComponentLoader`
and run again, with the same speakers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from autogen_agentchat import conditions as ag
from autogen_agentchat.agents import AssistantAgent as AgAssistant
from autogen_agentchat.messages import BaseChatMessage
from autogen_agentchat.teams import DiGraphBuilder
from autogen_agentchat.teams import GraphFlow as AgGraphFlow
from autogen_agentchat.teams import MagenticOneGroupChat as AgMagentic
from autogen_agentchat.teams import RoundRobinGroupChat as AgRoundRobin
from autogen_agentchat.teams import SelectorGroupChat as AgSelector
from autogen_agentchat.teams import Swarm as AgSwarm
from autogen_core import FunctionCall
from autogen_core.models import CreateResult, ModelFamily, ModelInfo, RequestUsage
from autogen_core.tools import FunctionTool as AgFunctionTool
from autogen_ext.models.replay import ReplayChatCompletionClient

from switchboard import dump_component, load_component
from switchboard.teams import GraphFlow, GroupChat, MagenticOneGroupChat, RoundRobinGroupChat, SelectorGroupChat, Swarm
from tests.support.autogen_components import autogen_load

MODEL = ModelInfo(
    vision=False, function_calling=True, json_output=False, family=ModelFamily.UNKNOWN, structured_output=False
)


def lookup(city: str) -> str:
    """Look up a city.

    Args:
        city: The city.
    """
    return f"facts about {city}"


def say(content: str) -> CreateResult:
    return CreateResult(finish_reason="stop", content=content, usage=RequestUsage(10, 1), cached=False)


def call(name: str, **arguments: Any) -> CreateResult:
    calls = [FunctionCall(id=f"call_{name}", name=name, arguments=json.dumps(arguments))]
    return CreateResult(finish_reason="function_calls", content=calls, usage=RequestUsage(10, 1), cached=False)


def replay(*replies: CreateResult) -> ReplayChatCompletionClient:
    return ReplayChatCompletionClient(list(replies), MODEL)


def agent(name: str, *replies: CreateResult, **options: Any) -> AgAssistant:
    return AgAssistant(name, model_client=replay(*replies), description=f"{name} role", **options)


def ledger(speaker: str, *, done: bool = False) -> str:
    def answer(value: Any) -> dict[str, Any]:
        return {"reason": "r", "answer": value}

    return json.dumps(
        {
            "is_request_satisfied": answer(done),
            "is_progress_being_made": answer(True),
            "is_in_loop": answer(False),
            "next_speaker": answer(speaker),
            "instruction_or_question": answer(f"{speaker}, go on"),
        }
    )


def _round_robin() -> Any:
    a = agent("a", call("lookup", city="Oslo"), say("DONE"), tools=[AgFunctionTool(lookup, description="Look up")])
    b = agent("b", say("noted"))
    stop = ag.TextMentionTermination("DONE") | ag.MaxMessageTermination(10)
    return AgRoundRobin([a, b], termination_condition=stop)


def _selector() -> Any:
    a, b = agent("a", say("first"), say("third")), agent("b", say("second APPROVE"))
    chooser = replay(say("a"), say("b"), say("a"))
    return AgSelector([a, b], model_client=chooser, termination_condition=ag.TextMentionTermination("APPROVE"))


def _swarm() -> Any:
    a = agent("a", call("transfer_to_b"), handoffs=["b"])
    b = agent("b", say("b did it"), call("transfer_to_user"), handoffs=["user"])
    stop = ag.HandoffTermination("user") | ag.MaxMessageTermination(8)
    return AgSwarm([a, b], termination_condition=stop)


def _magentic() -> Any:
    researcher, coder = agent("researcher", say("found it")), agent("coder", say("coded it"))
    orchestrator = replay(
        *map(say, ["F", "P", ledger("researcher"), ledger("coder"), ledger("coder", done=True), "ok"])
    )
    return AgMagentic([researcher, coder], model_client=orchestrator)


def _graph_flow() -> Any:
    a, b, c = agent("a", say("go left")), agent("b", say("left done")), agent("c", say("right done"))
    builder = DiGraphBuilder()
    builder.add_node(a).add_node(b).add_node(c)
    builder.add_edge(a, b, condition="left").add_edge(a, c, condition="right")
    return AgGraphFlow([a, b, c], graph=builder.build(), termination_condition=ag.MaxMessageTermination(5))


TEAMS: dict[str, tuple[Callable[[], Any], type[GroupChat]]] = {
    "round-robin": (_round_robin, RoundRobinGroupChat),
    "selector": (_selector, SelectorGroupChat),
    "swarm": (_swarm, Swarm),
    "magentic-one": (_magentic, MagenticOneGroupChat),
    "graph-flow": (_graph_flow, GraphFlow),
}


def their_speakers(result: Any, team_name: str) -> list[str]:
    return [
        team_name if m.source == "MagenticOneOrchestrator" else m.source
        for m in result.messages
        if isinstance(m, BaseChatMessage)
    ]


@pytest.mark.parametrize("kind", sorted(TEAMS))
async def test_autogen_team_json_runs_here_with_autogens_speakers_and_loads_back(kind: str) -> None:
    build, our_type = TEAMS[kind]
    spec = build().dump_component().model_dump(mode="json")
    theirs = await build().run(task="the task")

    team = load_component(json.dumps(spec), tools=[lookup], expected="team")
    assert type(team) is our_type
    ours = await team.run("the task")

    assert ours.speakers() == their_speakers(theirs, team.name)
    assert theirs.stop_reason
    assert ours.stop_reason.lower().startswith(theirs.stop_reason.lower())  # ours may add who said it
    assert ours.transcript[-1].content == theirs.messages[-1].to_text()

    dumped = dump_component(team)
    assert dumped["provider"] == spec["provider"]
    again = autogen_load(dumped)
    rerun = await again.run(task="the task")
    assert their_speakers(rerun, team.name) == their_speakers(theirs, team.name)


async def test_a_code_executor_agent_team_runs_the_same_code_here_in_our_sandbox(tmp_path: Path) -> None:
    from autogen_agentchat.agents import CodeExecutorAgent as AgCodeExecutorAgent
    from autogen_ext.code_executors.local import LocalCommandLineCodeExecutor as AgLocalExecutor

    def build() -> Any:
        coder = agent("coder", say("```python\nprint(6 * 7)\n```"))
        executor = AgCodeExecutorAgent("executor", AgLocalExecutor(timeout=20, work_dir=tmp_path), sources=["coder"])
        return AgRoundRobin([coder, executor], max_turns=2)

    spec = build().dump_component().model_dump(mode="json")
    theirs = await build().run(task="the task")
    team = load_component(spec, expected="team")
    assert type(team.participants[1].code_executor.executor).__name__ == "LocalCommandLineCodeExecutor"
    asked: list[Any] = []

    def approve(request: Any) -> bool:
        asked.append(request)
        return True

    ours = await team.run("the task", approval_func=approve)

    assert len(asked) == 1  # ours asks before running code (AutoGen's runs it unasked)
    assert ours.speakers() == their_speakers(theirs, team.name) == ["user", "coder", "executor"]
    assert "42" in ours.transcript[-1].content
    assert "42" in theirs.messages[-1].to_text()
    back = autogen_load(dump_component(team))
    assert [p.name for p in back._participants] == ["coder", "executor"]
