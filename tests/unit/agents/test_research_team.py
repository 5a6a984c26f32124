from __future__ import annotations

from agents.knowledge import search_notes
from agents.messages import APPROVED, Plan, Review
from agents.registry import DEFAULT_TEAM, TEAMS, all_agents
from switchboard.models.scripted import ScriptedModelClient
from switchboard.teams import RoundRobinManager
from switchboard.tools import FunctionTool


def test_search_notes_ranks_by_keyword_overlap_and_is_a_valid_tool() -> None:
    hits = search_notes("duplicate detection of a message", max_results=2)
    assert hits[0].title == "Duplicate detection"
    assert len(hits) == 2
    assert search_notes("zebra giraffe") == []
    schema = FunctionTool(search_notes).spec.parameters
    assert schema["required"] == ["query"]
    assert schema["properties"]["max_results"]["default"] == 3


def test_structured_outputs_render_and_clip_a_small_models_overruns() -> None:
    plan = Plan.model_validate({"steps": ["  look  up\nX ", "x" * 500, "", "c", "d", "e"]})
    assert plan.steps[0] == "look up X"
    assert len(plan.steps[1]) == 160
    assert len(plan.steps) == 4
    assert plan.render().splitlines()[0] == "1. look up X"
    review = Review(verdict="APPROVE", comments="fine")
    assert review.render().startswith(APPROVED)
    assert not Review(verdict="REVISE", comments="APPROVE later").render().startswith(APPROVED)


def test_registry_lists_every_agent_once_with_each_manager_first() -> None:
    # The mechanism, not today's samples: any team added to the registry must keep this true.
    client = ScriptedModelClient.from_file(DEFAULT_TEAM.demo_script)  # type: ignore[arg-type]
    agents = all_agents(client)
    names = [a.name for a in agents]
    assert len(names) == len(set(names))
    assert names == [a.name for spec in TEAMS.values() for a in spec.build(client).agents()]
    for key, spec in TEAMS.items():
        team = spec.build(client)
        assert key == spec.name == team.name  # the registry key is the team's (its manager's) name
        assert names[names.index(spec.name) + 1 : names.index(spec.name) + 1 + len(team.participants)] == [
            p.name for p in team.participants
        ]


def test_the_research_team_is_registered_as_the_default_round_robin() -> None:
    client = ScriptedModelClient.from_file(DEFAULT_TEAM.demo_script)  # type: ignore[arg-type]
    assert TEAMS["research"] is DEFAULT_TEAM
    team = DEFAULT_TEAM.build(client)
    assert [a.name for a in team.agents()] == ["research", "planner", "researcher", "writer", "reviewer"]
    assert isinstance(team.agents()[0], RoundRobinManager)


async def test_the_demo_script_plays_a_complete_run() -> None:
    assert DEFAULT_TEAM.demo_script is not None
    client = ScriptedModelClient.from_file(DEFAULT_TEAM.demo_script)
    result = await DEFAULT_TEAM.build(client).run("How are effects made exactly once?", run_id="demo")
    assert result.speakers() == ["user"] + ["planner", "researcher", "writer", "reviewer"] * 2
    assert result.stop_reason == f"text {APPROVED!r} mentioned by reviewer"
    reviews = [e for e in result.transcript if e.source == "reviewer"]
    assert [r.data["verdict"] for r in reviews if r.data] == ["REVISE", "APPROVE"]
    researcher = [e for e in result.transcript if e.source == "researcher"]
    assert all(e.tool_calls == ("search_notes",) for e in researcher)
    # The researcher's second answer came after a real search whose results the model saw.
    tool_results = [m for r in client.requests if r.agent == "researcher" for m in r.messages if m.role == "tool"]
    assert any("inbox" in m.content.lower() for m in tool_results)
    assert set(result.usage) == {"planner", "researcher", "writer", "reviewer"}
    assert all(u.total_tokens > 0 for u in result.usage.values())
