"""GraphFlow in-process: sequential, conditional, loops, fan-out with all/any fan-in, validation, restarts."""

from __future__ import annotations

from typing import Any

import pytest

from switchboard.agentchat import AssistantAgent, AssistantState
from switchboard.errors import AgentDefinitionError
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.protocol import TurnRequested
from switchboard.runtime import InMemoryStateStore
from switchboard.teams import DiGraphBuilder, GraphFlow, TeamState
from switchboard.teams.graph_flow import GRAPH_DONE, GraphFlowState
from switchboard.termination import MaxMessageTermination


def _agents(script: dict[str, list[dict[str, Any]]], *names: str) -> list[AssistantAgent]:
    model = ScriptedModelClient(Script.model_validate({"agents": script}))
    return [AssistantAgent(name, model_client=model) for name in names]


def _says(*replies: str) -> list[dict[str, Any]]:
    return [{"content": reply} for reply in replies]


async def test_a_sequential_chain_runs_in_order_and_stops_when_the_graph_is_done() -> None:
    a, b, c = _agents({"a": _says("one"), "b": _says("two"), "c": _says("three")}, "a", "b", "c")
    graph = DiGraphBuilder().add_node(a).add_node(b).add_node(c).add_edge(a, b).add_edge(b, c).build()
    result = await GraphFlow([a, b, c], graph=graph).run("count")
    assert [(e.source, e.content) for e in result.transcript] == [
        ("user", "count"),
        ("a", "one"),
        ("b", "two"),
        ("c", "three"),
    ]
    assert result.stop_reason == GRAPH_DONE


async def test_a_conditional_branch_takes_the_edge_whose_condition_holds() -> None:
    a, yes, no = _agents({"a": _says("answer: no"), "yes": _says("Y"), "no": _says("N")}, "a", "yes", "no")
    builder = DiGraphBuilder().add_node(a).add_node(yes).add_node(no)
    builder.add_edge(a, yes, condition=lambda entry: "yes" in entry.content)
    builder.add_edge(a, no, condition="no")
    result = await GraphFlow([a, yes, no], graph=builder.build()).run("?")
    assert result.speakers() == ["user", "a", "no"]


async def test_a_loop_repeats_until_its_exit_condition_and_the_termination_still_applies() -> None:
    writer, critic, done = _agents(
        {"writer": _says("d1", "d2", "d3"), "critic": _says("REVISE", "REVISE", "APPROVE"), "done": _says("ok")},
        "writer",
        "critic",
        "done",
    )
    builder = DiGraphBuilder().add_node(writer).add_node(critic).add_node(done)
    builder.add_edge(writer, critic)
    builder.add_edge(critic, done, condition="APPROVE")
    builder.add_edge(critic, writer, condition=lambda entry: "APPROVE" not in entry.content)
    builder.set_entry_point(writer)
    flow = GraphFlow([writer, critic, done], graph=builder.build(), termination=MaxMessageTermination(20))
    result = await flow.run("write")
    assert result.speakers() == ["user", "writer", "critic", "writer", "critic", "writer", "critic", "done"]
    assert result.stop_reason == GRAPH_DONE

    writer, critic, done = _agents(
        {"writer": _says("d1", "d2"), "critic": _says("REVISE", "REVISE"), "done": _says()}, "writer", "critic", "done"
    )
    capped = GraphFlow([writer, critic, done], graph=builder.build(), termination=MaxMessageTermination(4))
    result = await capped.run("write")
    assert result.speakers() == ["user", "writer", "critic", "writer"]
    assert result.stop_reason.startswith("maximum number of messages 4")


async def test_fan_out_asks_every_branch_at_once_and_an_all_join_waits_for_both() -> None:
    script = {"a": _says("go"), "b": _says("B"), "c": _says("C"), "d": _says("joined")}
    a, b, c, d = _agents(script, "a", "b", "c", "d")
    builder = DiGraphBuilder().add_node(a).add_node(b).add_node(c).add_node(d)
    builder.add_edge(a, b).add_edge(a, c).add_edge(b, d).add_edge(c, d)
    flow = GraphFlow([a, b, c, d], graph=builder.build())
    store = InMemoryStateStore()
    result = await flow.run("split", store=store, on_entry=lambda e: None)
    assert result.speakers() == ["user", "a", "b", "c", "d"]
    # The join saw both branches; each branch saw the task and a, not the other branch.
    history = {name: [m.content for m in await agent_history(store, result.run_id, name)] for name in ("b", "c", "d")}
    assert history["b"] == ["split", "go", "B"]
    assert history["c"] == ["split", "go", "C"]
    assert history["d"] == ["split", "go", "B", "C", "joined"]


async def agent_history(store: InMemoryStateStore, run_id: str, agent: str) -> list[Any]:
    stored = await store.load(agent, run_id)
    assert stored is not None
    return list(AssistantState.model_validate(stored.data).history)


async def test_an_any_join_runs_once_on_the_first_branch_of_its_superstep() -> None:
    script = {"a": _says("go"), "b": _says("B"), "c": _says("C"), "d": _says("first")}
    a, b, c, d = _agents(script, "a", "b", "c", "d")
    builder = DiGraphBuilder().add_node(a).add_node(b).add_node(c).add_node(d)
    builder.add_edge(a, b).add_edge(a, c)
    builder.add_edge(b, d, activation_condition="any").add_edge(c, d, activation_condition="any")
    result = await GraphFlow([a, b, c, d], graph=builder.build()).run("split")
    assert result.speakers() == ["user", "a", "b", "c", "d"]


async def test_the_graph_counters_are_persisted_between_hops() -> None:
    script = {"a": _says("go"), "b": _says("B"), "c": _says("C"), "d": _says("joined")}
    a, b, c, d = _agents(script, "a", "b", "c", "d")
    builder = DiGraphBuilder().add_node(a).add_node(b).add_node(c).add_node(d)
    builder.add_edge(a, b).add_edge(a, c).add_edge(b, d).add_edge(c, d)
    flow = GraphFlow([a, b, c, d], graph=builder.build(), name="flow")
    from switchboard.protocol import TEAM_MESSAGES, TaskSubmitted
    from switchboard.runtime import InProcessRuntime

    runtime = InProcessRuntime(flow.agents(), extra_messages=TEAM_MESSAGES, keep_history=True)
    runtime.send(TaskSubmitted(task="split"), to="flow", run_id="r")
    await runtime.run_until_idle(max_messages=4)  # start, a, a's answer, b's turn
    state = await runtime.state_of("flow", "r")
    assert isinstance(state, GraphFlowState)
    assert state.pending == ["b", "c"]
    assert state.remaining["d"] == {"d": 2}
    await runtime.run_until_idle()
    state = await runtime.state_of("flow", "r")
    assert isinstance(state, TeamState)
    assert state.stop_reason == GRAPH_DONE
    requested = [e for e in runtime.history if e.type == TurnRequested.message_type]
    assert [e.target for e in requested] == ["a", "b", "c", "d"]


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (
            lambda b: b.add_edge("a", "b").add_edge("b", "a", "x").add_edge("b", "c", "y").add_edge("c", "a"),
            "no start node",
        ),
        (lambda b: b.add_edge("a", "b", "x").add_edge("b", "a").add_edge("c", "a").set_entry_point("c"), "no leaf"),
        (lambda b: b.add_edge("a", "b", condition="x").add_edge("a", "c"), "mixes conditional"),
        (lambda b: b.add_edge("a", "c").add_edge("b", "c", activation_condition="any"), "conflicting"),
        (lambda b: b.add_edge("a", "b").add_edge("a", "c").add_edge("b", "a").set_entry_point("a"), "exit"),
    ],
)
def test_invalid_graphs_are_refused(build: Any, words: str) -> None:
    builder = DiGraphBuilder().add_node("a").add_node("b").add_node("c")
    with pytest.raises(AgentDefinitionError, match=words):
        build(builder).build()


def test_a_cycle_without_exit_or_a_cyclic_flow_without_a_stop_is_refused() -> None:
    builder = DiGraphBuilder().add_node("a").add_node("b").add_node("c")
    builder.add_edge("a", "b").add_edge("b", "a").add_edge("b", "c").set_entry_point("a")
    with pytest.raises(AgentDefinitionError, match=r"mixes|exit"):
        builder.build()
    a, b, c = _agents({}, "a", "b", "c")
    loop = DiGraphBuilder().add_node(a).add_node(b).add_node(c)
    loop.add_edge(a, b).add_edge(b, a, condition="again").add_edge(b, c, condition="stop").set_entry_point(a)
    with pytest.raises(AgentDefinitionError, match="cyclic graph needs"):
        GraphFlow([a, b, c], graph=loop.build())


def test_max_turns_below_one_is_refused() -> None:
    a, b = _agents({}, "a", "b")
    graph = DiGraphBuilder().add_node(a).add_node(b).add_edge(a, b).build()
    with pytest.raises(AgentDefinitionError, match="max_turns"):
        GraphFlow([a, b], graph=graph, max_turns=0)
