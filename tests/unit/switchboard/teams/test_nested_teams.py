"""Nested teams in-process: a team as a participant answers its outer team with one entry per episode."""

from __future__ import annotations

import json
from typing import Any

from switchboard.agentchat import AssistantAgent
from switchboard.models.chat import Usage
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.runtime import InMemoryStateStore
from switchboard.teams import DiGraphBuilder, GraphFlow, NestedTeam, RoundRobinGroupChat
from switchboard.teams.nested import NestedTeamState, default_offset
from switchboard.termination import MaxMessageTermination


def _model(script: dict[str, list[dict[str, Any]]]) -> ScriptedModelClient:
    return ScriptedModelClient(Script.model_validate({"agents": script}))


def _says(*replies: str, tokens: int = 3) -> list[dict[str, Any]]:
    return [{"content": r, "usage": {"prompt_tokens": tokens, "completion_tokens": 1}} for r in replies]


async def test_a_round_robin_team_inside_a_graph_flow_answers_once_per_episode() -> None:
    model = _model(
        {
            "planner": _says("plan it"),
            "drafter": _says("draft 1", "draft 2"),
            "checker": _says("check 1", "final text"),
            "editor": _says("published"),
        }
    )
    drafter = AssistantAgent("drafter", model_client=model)
    checker = AssistantAgent("checker", model_client=model)
    inner = RoundRobinGroupChat([drafter, checker], termination=MaxMessageTermination(5), name="writers")
    planner = AssistantAgent("planner", model_client=model)
    editor = AssistantAgent("editor", model_client=model)
    graph = DiGraphBuilder().add_node(planner).add_node(inner).add_node(editor)
    graph.add_edge(planner, inner).add_edge(inner, editor)
    flow = GraphFlow([planner, inner, editor], graph=graph.build(), name="outer")
    assert [a.name for a in flow.agents()] == ["outer", "planner", "writers", "drafter", "checker", "editor"]
    assert isinstance(flow.agents()[2], NestedTeam)

    store = InMemoryStateStore()
    result = await flow.run("write a note", store=store)

    assert [(e.source, e.content) for e in result.transcript] == [
        ("user", "write a note"),
        ("planner", "plan it"),
        ("writers", "final text"),
        ("editor", "published"),
    ]
    # The inner episode's four turns are counted in the outer run under the team's name.
    assert result.usage["writers"] == Usage(prompt_tokens=12, completion_tokens=4)
    # The inner transcript is stored in its own index range of the same run.
    offset = default_offset("writers")
    inner_entries = await store.read(result.run_id, offset, offset + 100)
    assert [(e["source"], e["content"]) for e in inner_entries] == [
        ("user", "user: write a note\n\nplanner: plan it"),
        ("drafter", "draft 1"),
        ("checker", "check 1"),
        ("drafter", "draft 2"),
        ("checker", "final text"),
    ]
    assert await store.read(result.run_id, 0, offset) == [e.model_dump(mode="json") for e in result.transcript]


async def test_an_inner_team_keeps_its_conversation_across_episodes() -> None:
    model = _model(
        {"lead": _says("first", "second"), "a": _says("a1", "a2"), "b": _says("b1", "b2"), "done": _says("end")}
    )
    inner = RoundRobinGroupChat(
        [AssistantAgent("a", model_client=model), AssistantAgent("b", model_client=model)],
        termination=MaxMessageTermination(3),
        name="pair",
    )
    lead = AssistantAgent("lead", model_client=model)
    done = AssistantAgent("done", model_client=model)
    builder = DiGraphBuilder().add_node(lead).add_node(inner).add_node(done)
    builder.add_edge(lead, inner)
    builder.add_edge(inner, lead, condition="b1").add_edge(inner, done, condition="b2")
    builder.set_entry_point(lead)
    flow = GraphFlow([lead, inner, done], graph=builder.build(), max_turns=10, name="outer")
    store = InMemoryStateStore()
    result = await flow.run("go", store=store)
    assert [(e.source, e.content) for e in result.transcript] == [
        ("user", "go"),
        ("lead", "first"),
        ("pair", "b1"),
        ("lead", "second"),
        ("pair", "b2"),
        ("done", "end"),
    ]
    state = await store.load("pair", result.run_id)
    assert state is not None
    nested = NestedTeamState.model_validate(state.data)
    assert nested.inner["length"] == 6  # two episodes of a task and two turns, in one conversation
    assert not nested.active
    # The second episode's task holds only what the team had not seen.
    offset = default_offset("pair")
    second_task = (await store.read(result.run_id, offset + 3, offset + 4))[0]
    assert second_task["content"] == "second"


async def test_any_team_takes_a_wrapped_team_and_a_graph_flow_can_be_nested() -> None:
    model = _model({"host": _says("topic", "thanks"), "l": _says("L"), "r": _says("R"), "j": _says("merged")})
    left, right, join = (AssistantAgent(n, model_client=model) for n in ("l", "r", "j"))
    builder = DiGraphBuilder().add_node(left).add_node(right).add_node(join)
    builder.add_edge(left, join).add_edge(right, join)
    panel = GraphFlow([left, right, join], graph=builder.build(), name="panel")
    host = AssistantAgent("host", model_client=model)
    chat = RoundRobinGroupChat([host, NestedTeam(panel)], termination=MaxMessageTermination(4), name="show")
    assert [a.name for a in chat.agents()] == ["show", "host", "panel", "l", "r", "j"]
    result = await chat.run("go")
    assert [(e.source, e.content) for e in result.transcript] == [
        ("user", "go"),
        ("host", "topic"),
        ("panel", "merged"),
        ("host", "thanks"),
    ]
    assert result.usage["panel"] == Usage(prompt_tokens=9, completion_tokens=3)


async def test_two_nested_teams_in_parallel_branches_keep_their_own_transcripts() -> None:
    model = _model(
        {
            "lead": _says("topic"),
            "a1": _says("a1 says", "a1 again"),
            "a2": _says("a2 says"),
            "b1": _says("b1 says", "b1 again"),
            "b2": _says("b2 says"),
            "judge": _says("verdict"),
        }
    )
    red = RoundRobinGroupChat(
        [AssistantAgent("a1", model_client=model), AssistantAgent("a2", model_client=model)],
        termination=MaxMessageTermination(4),
        name="red",
    )
    blue = RoundRobinGroupChat(
        [AssistantAgent("b1", model_client=model), AssistantAgent("b2", model_client=model)],
        termination=MaxMessageTermination(4),
        name="blue",
    )
    lead, judge = AssistantAgent("lead", model_client=model), AssistantAgent("judge", model_client=model)
    builder = DiGraphBuilder().add_node(lead).add_node(red).add_node(blue).add_node(judge)
    builder.add_edge(lead, red).add_edge(lead, blue).add_edge(red, judge).add_edge(blue, judge)
    store = InMemoryStateStore()
    result = await GraphFlow([lead, red, blue, judge], graph=builder.build()).run("debate", store=store)
    assert [(e.source, e.content) for e in result.transcript] == [
        ("user", "debate"),
        ("lead", "topic"),
        ("red", "a1 again"),
        ("blue", "b1 again"),
        ("judge", "verdict"),
    ]
    for team, members in (("red", {"a1", "a2"}), ("blue", {"b1", "b2"})):
        offset = default_offset(team)
        inner = await store.read(result.run_id, offset, offset + _RANGE_END)
        assert [e["source"] for e in inner] == ["user", *sorted(members), sorted(members)[0]]
    # The second speaker of each team saw only its own team's entries.
    for agent, other in (("a2", "b1 says"), ("b2", "a1 says")):
        stored = await store.load(agent, result.run_id)
        assert stored is not None
        assert other not in json.dumps(stored.data)


_RANGE_END = 1000
