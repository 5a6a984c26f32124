"""A GraphFlow `any` join through the hosted `MessageProcessor` (in-memory ports, branches processed concurrently as
on Service Bus): the join runs once however the branches' answers interleave, as in-process."""

from __future__ import annotations

from typing import Any

from switchboard.agentchat import AssistantAgent
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.teams import DiGraphBuilder, GraphFlow
from switchboard.teams.graph_flow import GRAPH_DONE
from tests.support.hosted_teams import RUN, run_hosted


def _flow(slow: str) -> GraphFlow:
    """a fans out to b and c; d joins them with `any`; branch `slow` answers later than the other."""
    script: dict[str, list[dict[str, Any]]] = {
        "a": [{"content": "go"}],
        "b": [{"content": "B", "delay": 0.2 if slow == "b" else 0.0}],
        "c": [{"content": "C", "delay": 0.2 if slow == "c" else 0.0}],
        "d": [{"content": "first"}, {"content": "second"}],
    }
    model = ScriptedModelClient(Script.model_validate({"agents": script}))
    a, b, c, d = (AssistantAgent(n, model_client=model) for n in "abcd")
    builder = DiGraphBuilder().add_node(a).add_node(b).add_node(c).add_node(d)
    builder.add_edge(a, b).add_edge(a, c)
    builder.add_edge(b, d, activation_condition="any").add_edge(c, d, activation_condition="any")
    return GraphFlow([a, b, c, d], graph=builder.build(), name="flow")


async def test_a_hosted_any_join_runs_once_whichever_branch_answers_first() -> None:
    in_process = await _flow("b").run("split", run_id=RUN)
    assert in_process.speakers() == ["user", "a", "b", "c", "d"]
    for slow, fast in (("b", "c"), ("c", "b")):
        store, _ = await run_hosted(_flow(slow))
        run = await store.read_run(RUN)
        assert run is not None
        assert (run["status"], run["stop_reason"]) == ("completed", GRAPH_DONE)
        entries = [(e["source"], e["content"]) for e in await store.read(RUN, 0)]
        # Branch answers enter in arrival order; the join is asked once, after both (one superstep).
        assert entries == [("user", "split"), ("a", "go"), (fast, fast.upper()), (slow, slow.upper()), ("d", "first")]
