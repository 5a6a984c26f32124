"""Side by side with AutoGen 0.7.5's GraphFlow: the same graphs and scripted replies give the same speaker order
and the same stop point (sequential, conditional with string and callable conditions, loops with an exit, a loop
capped by a condition or max_turns, fan-out with an all-join and with an any-join).

Both sides replay one script per agent: ours through `ScriptedModelClient`, AutoGen's through its
`ReplayChatCompletionClient`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from autogen_agentchat import conditions as ag
from autogen_agentchat.agents import AssistantAgent as AgAssistant
from autogen_agentchat.base import TerminationCondition as AgCondition
from autogen_agentchat.messages import BaseChatMessage
from autogen_agentchat.teams import DiGraphBuilder as AgBuilder
from autogen_agentchat.teams import GraphFlow as AgGraphFlow
from autogen_core.models import CreateResult, ModelFamily, ModelInfo, RequestUsage
from autogen_ext.models.replay import ReplayChatCompletionClient

import switchboard.termination as sb
from switchboard.agentchat import AssistantAgent
from switchboard.teams import DiGraphBuilder, GraphFlow
from tests.support.teams import scripted

MODEL = ModelInfo(
    vision=False, function_calling=True, json_output=False, family=ModelFamily.UNKNOWN, structured_output=False
)
Edge = tuple[str, str, dict[str, Any]]


@dataclass
class Flow:
    """One graph: replies per agent, edges (source, target, add_edge options), an entry point and limits."""

    replies: dict[str, list[str]]
    edges: list[Edge]
    entry: str | None = None
    ours: sb.TerminationCondition | None = None
    theirs: AgCondition | None = None
    max_turns: int | None = None
    nodes: list[str] = field(default_factory=list)

    def names(self) -> list[str]:
        return self.nodes or list(self.replies)


def _build(flow: Flow, builder: Any, agents: dict[str, Any]) -> Any:
    for name in flow.names():
        builder.add_node(agents[name])
    for source, target, options in flow.edges:
        builder.add_edge(agents[source], agents[target], **options)
    if flow.entry is not None:
        builder.set_entry_point(agents[flow.entry])
    return builder.build()


async def _both(flow: Flow) -> tuple[tuple[list[str], str], tuple[list[str], str]]:
    usage = {"usage": {"prompt_tokens": 10, "completion_tokens": 1}}
    model = scripted({name: [{"content": r, **usage} for r in replies] for name, replies in flow.replies.items()})
    ours_agents = {name: AssistantAgent(name, model_client=model) for name in flow.names()}
    ours = GraphFlow(
        list(ours_agents.values()),
        graph=_build(flow, DiGraphBuilder(), ours_agents),
        termination=flow.ours,
        max_turns=flow.max_turns,
    )
    result = await ours.run("the task")

    def replay(name: str) -> ReplayChatCompletionClient:
        return ReplayChatCompletionClient(
            [
                CreateResult(finish_reason="stop", content=r, usage=RequestUsage(10, 1), cached=False)
                for r in flow.replies.get(name, [])
            ],
            MODEL,
        )

    their_agents = {name: AgAssistant(name, model_client=replay(name)) for name in flow.names()}
    theirs = AgGraphFlow(
        list(their_agents.values()),
        graph=_build(flow, AgBuilder(), their_agents),
        termination_condition=flow.theirs,
        max_turns=flow.max_turns,
    )
    their_result = await theirs.run(task="the task")
    their_speakers = [m.source for m in their_result.messages if isinstance(m, BaseChatMessage)]
    return (result.speakers(), result.stop_reason), (their_speakers, their_result.stop_reason or "")


# AutoGen's callables take a chat message and ours a transcript entry: both offer to_text(), so one function serves.
def _yes(entry: Any) -> bool:
    return "yes" in entry.to_text()


def _not_approved(entry: Any) -> bool:
    return "APPROVE" not in entry.to_text()


FLOWS: dict[str, Flow] = {
    "sequential": Flow({"a": ["1"], "b": ["2"], "c": ["3"]}, [("a", "b", {}), ("b", "c", {})]),
    "conditional-callable": Flow(
        {"a": ["no way"], "b": ["B"], "c": ["C"]},
        [("a", "b", {"condition": _yes}), ("a", "c", {"condition": lambda e: not _yes(e)})],
    ),
    "conditional-string": Flow(
        {"a": ["yes indeed"], "b": ["B"], "c": ["C"]},
        [("a", "b", {"condition": "yes"}), ("a", "c", {"condition": "no"})],
    ),
    "loop-with-exit": Flow(
        {"w": ["d1", "d2", "d3"], "r": ["REVISE", "REVISE", "APPROVE"], "p": ["shipped"]},
        [("w", "r", {}), ("r", "p", {"condition": "APPROVE"}), ("r", "w", {"condition": _not_approved})],
        entry="w",
        ours=sb.MaxMessageTermination(20),
        theirs=ag.MaxMessageTermination(20),
    ),
    "loop-capped-by-condition": Flow(
        {"w": ["d1", "d2", "d3"], "r": ["REVISE", "REVISE", "REVISE"], "p": []},
        [("w", "r", {}), ("r", "p", {"condition": "APPROVE"}), ("r", "w", {"condition": _not_approved})],
        entry="w",
        ours=sb.MaxMessageTermination(5),
        theirs=ag.MaxMessageTermination(5),
    ),
    "loop-capped-by-max-turns": Flow(
        {"w": ["d1", "d2", "d3"], "r": ["REVISE", "REVISE", "REVISE"], "p": []},
        [("w", "r", {}), ("r", "p", {"condition": "APPROVE"}), ("r", "w", {"condition": _not_approved})],
        entry="w",
        max_turns=3,
    ),
    "fan-out-all-join": Flow(
        {"a": ["go"], "b": ["B"], "c": ["C"], "d": ["joined"]},
        [("a", "b", {}), ("a", "c", {}), ("b", "d", {}), ("c", "d", {})],
    ),
    "fan-out-any-join": Flow(
        {"a": ["go"], "b": ["B"], "c": ["C"], "d": ["first", "second"]},
        [
            ("a", "b", {}),
            ("a", "c", {}),
            ("b", "d", {"activation_condition": "any"}),
            ("c", "d", {"activation_condition": "any"}),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(FLOWS))
async def test_graph_flow_speaks_and_stops_like_autogen(name: str) -> None:
    (ours, our_reason), (theirs, their_reason) = await _both(FLOWS[name])
    assert ours == theirs
    if "Digraph" in their_reason:
        assert our_reason == their_reason


async def test_a_stop_from_a_parallel_branch_is_seen_here_and_missed_by_autogen() -> None:
    """A deliberate difference: AutoGen checks its condition only on the superstep's last answer, so a stop said by
    an earlier branch is lost and the join still runs; here every answer is checked, and the run stops once the
    superstep is complete."""
    flow = Flow(
        {"a": ["go"], "b": ["STOP"], "c": ["C"], "d": ["joined"]},
        [("a", "b", {}), ("a", "c", {}), ("b", "d", {}), ("c", "d", {})],
        ours=sb.TextMentionTermination("STOP"),
        theirs=ag.TextMentionTermination("STOP"),
    )
    (ours, our_reason), (theirs, _) = await _both(flow)
    assert ours == ["user", "a", "b", "c"]
    assert our_reason == "text 'STOP' mentioned by b"
    assert theirs == ["user", "a", "b", "c", "d"]


def test_the_builders_take_the_same_calls() -> None:
    ours: Callable[..., Any] = DiGraphBuilder.add_edge
    theirs: Callable[..., Any] = AgBuilder.add_edge
    assert (
        ours.__code__.co_varnames[: ours.__code__.co_argcount]
        == theirs.__code__.co_varnames[: theirs.__code__.co_argcount]
    )
