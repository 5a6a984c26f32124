"""GraphFlow and nested teams through the hosted `MessageProcessor` on the in-memory hosting ports.

The pump plays Service Bus with one queue per agent and sessions per run: messages for different agents are
processed concurrently, messages for one agent one after another. So a fan-out's branches are in flight together.
"""

from __future__ import annotations

from typing import Any

from switchboard.agentchat import AssistantAgent
from switchboard.models.chat import ModelRequest, ModelResponse
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.teams import DiGraphBuilder, GraphFlow, RoundRobinGroupChat
from switchboard.teams.graph_flow import GRAPH_DONE
from switchboard.termination import MaxMessageTermination
from tests.support.hosted_teams import RUN, run_hosted


class Timeline:
    """A model client wrapper that records when each agent's call starts and ends (in order, no clocks)."""

    def __init__(self, inner: ScriptedModelClient) -> None:
        self.inner = inner
        self.events: list[tuple[str, str]] = []

    @property
    def model_name(self) -> str:
        return self.inner.model_name

    async def create(self, request: ModelRequest) -> ModelResponse:
        self.events.append(("start", request.agent))
        reply = await self.inner.create(request)
        self.events.append(("end", request.agent))
        return reply

    async def close(self) -> None:
        await self.inner.close()


def _says(*replies: str, delay: float = 0.0) -> list[dict[str, Any]]:
    return [{"content": reply, "delay": delay} for reply in replies]


async def test_hosted_fan_out_runs_the_branches_concurrently_and_joins_them() -> None:
    model = Timeline(
        ScriptedModelClient(
            Script.model_validate(
                {
                    "agents": {
                        "a": _says("go"),
                        "b": _says("B", delay=0.05),
                        "c": _says("C", delay=0.05),
                        "d": _says("joined"),
                    }
                }
            )
        )
    )
    a, b, c, d = (AssistantAgent(n, model_client=model) for n in "abcd")
    builder = DiGraphBuilder().add_node(a).add_node(b).add_node(c).add_node(d)
    builder.add_edge(a, b).add_edge(a, c).add_edge(b, d).add_edge(c, d)
    store, bus = await run_hosted(GraphFlow([a, b, c, d], graph=builder.build(), name="flow"))

    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "completed"
    assert run["stop_reason"] == GRAPH_DONE
    assert bus.statuses == ["queued", "running", "completed"]
    entries = await store.read(RUN, 0)
    assert [e["source"] for e in entries[:2]] == ["user", "a"]
    assert sorted(e["source"] for e in entries[2:4]) == ["b", "c"]
    assert entries[4]["source"] == "d"
    # Both branch calls started before either ended: they were in flight at the same time.
    branch = [event for event in model.events if event[1] in ("b", "c")]
    assert [kind for kind, _ in branch] == ["start", "start", "end", "end"]
    assert model.events[-2:] == [("start", "d"), ("end", "d")]


async def test_hosted_nested_team_answers_the_outer_flow() -> None:
    model = ScriptedModelClient(
        Script.model_validate(
            {"agents": {"lead": _says("brief"), "x": _says("x1", "x2"), "y": _says("y1", "y2"), "end": _says("done")}}
        )
    )
    inner = RoundRobinGroupChat(
        [AssistantAgent("x", model_client=model), AssistantAgent("y", model_client=model)],
        termination=MaxMessageTermination(5),
        name="crew",
    )
    lead, end = AssistantAgent("lead", model_client=model), AssistantAgent("end", model_client=model)
    builder = DiGraphBuilder().add_node(lead).add_node(inner).add_node(end)
    builder.add_edge(lead, inner).add_edge(inner, end)
    store, _ = await run_hosted(GraphFlow([lead, inner, end], graph=builder.build(), name="flow"))

    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "completed"
    assert set(run["usage"]) == {"lead", "crew", "end"}
    entries = await store.read(RUN, 0, 100)
    assert [(e["source"], e["content"]) for e in entries] == [
        ("user", "split"),
        ("lead", "brief"),
        ("crew", "y2"),
        ("end", "done"),
    ]


async def test_hosted_loop_with_conditional_exit_matches_the_in_process_run() -> None:
    def flow() -> GraphFlow:
        model = ScriptedModelClient(
            Script.model_validate(
                {"agents": {"w": _says("d1", "d2"), "r": _says("REVISE", "APPROVE"), "p": _says("shipped")}}
            )
        )
        w, r, p = (AssistantAgent(n, model_client=model) for n in "wrp")
        builder = DiGraphBuilder().add_node(w).add_node(r).add_node(p).add_edge(w, r)
        builder.add_conditional_edges(r, {"APPROVE": p, "REVISE": w}).set_entry_point(w)
        return GraphFlow([w, r, p], graph=builder.build(), termination=MaxMessageTermination(10), name="flow")

    in_process = await flow().run("split")
    store, _ = await run_hosted(flow())
    hosted = await store.read(RUN, 0)
    assert [(e["source"], e["content"]) for e in hosted] == [(e.source, e.content) for e in in_process.transcript]
    assert in_process.speakers() == ["user", "w", "r", "w", "r", "p"]
