"""`GET /api/teams`'s shapes: RoundRobin ring, Selector star, Swarm handoffs, GraphFlow edges."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agents.registry import RELEASE_TEAM, RESEARCH_TEAM
from switchboard.agentchat import AssistantAgent
from switchboard.functions.team_shapes import team_shape
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.teams import Swarm
from switchboard.teams.digraph import DiGraphBuilder
from switchboard.teams.graph_flow import GraphFlow
from switchboard.teams.spec import TeamSpec
from switchboard.termination import HandoffTermination, MaxMessageTermination

MODEL = ScriptedModelClient(Script.model_validate({"agents": {}}))


def edges(shape: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["source"], e["target"]) for e in shape["edges"]}


def test_round_robin_is_a_ring_in_speaking_order() -> None:
    shape = team_shape(RESEARCH_TEAM, RESEARCH_TEAM.build(MODEL))
    assert shape["kind"] == "round_robin"
    assert [a["name"] for a in shape["agents"]] == ["planner", "researcher", "writer", "reviewer"]
    assert edges(shape) == {
        ("planner", "researcher"),
        ("researcher", "writer"),
        ("writer", "reviewer"),
        ("reviewer", "planner"),
    }


def test_selector_is_a_star_around_its_manager() -> None:
    shape = team_shape(RELEASE_TEAM, RELEASE_TEAM.build(MODEL))
    assert (shape["kind"], shape["manager"]) == ("selector", "release")
    assert edges(shape) == {("release", "drafter"), ("release", "checker"), ("release", "publisher")}


def test_swarm_draws_its_handoffs() -> None:
    def build(model: object) -> Swarm:
        travel = AssistantAgent("travel", model_client=MODEL, handoffs=["flights", "user"])
        flights = AssistantAgent("flights", model_client=MODEL, handoffs=["travel"])
        return Swarm([travel, flights], termination=HandoffTermination("user") | MaxMessageTermination(5), name="desk")

    spec = TeamSpec(name="desk", description="", build=build, report_author="travel")
    shape = team_shape(spec, build(MODEL))
    assert shape["kind"] == "swarm"
    assert edges(shape) == {("travel", "flights"), ("travel", "user"), ("flights", "travel")}


def test_graph_flow_draws_its_edges() -> None:
    a, b, c = (AssistantAgent(n, model_client=MODEL) for n in "abc")
    graph = DiGraphBuilder().add_node(a).add_node(b).add_node(c).add_edge(a, b).add_edge(a, c).build()
    team = GraphFlow([a, b, c], graph=graph, name="flow")
    spec = TeamSpec(name="flow", description="fan out", build=lambda m: team, report_author="b", demo_script=Path("x"))
    shape = team_shape(spec, team)
    assert shape["kind"] == "graph_flow"
    assert edges(shape) == {("a", "b"), ("a", "c")}
