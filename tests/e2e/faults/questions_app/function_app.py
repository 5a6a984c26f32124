"""A Function App for the parallel-questions test: GraphFlow fan-outs whose two branches each wait for an approval.

- `gates`: `lead` fans out to `left` and `right`; each branch's `ship` tool needs approval (no timeout); `judge`
  joins both. Both branches ask at the same time, so the run has two open questions.
- `quickgates`: the same shape, but `qleft`'s approval times out after `TIMEOUT` s (denied) while `qright` waits.

Tool calls are noted in the file `GATE_MARKS` names, so the test sees what ran in the host process.
"""

from __future__ import annotations

import os

from switchboard.agentchat import AssistantAgent
from switchboard.functions.app_builder import build_function_app
from switchboard.functions.entities import entities_for
from switchboard.models.protocol import ModelClient
from switchboard.teams import DiGraphBuilder, GraphFlow
from switchboard.teams.spec import TeamSpec
from switchboard.tools import FunctionTool

TIMEOUT = 3.0


def ship(part: str) -> str:
    """Ship one part of the release.

    Args:
        part: Which part.
    """
    with open(os.environ["GATE_MARKS"], "a", encoding="utf-8") as marks:
        marks.write(f"shipped {part}\n")
    return f"shipped {part}"


def _fan_out(
    name: str, model_client: ModelClient, names: tuple[str, str, str, str], timeout: float | None
) -> GraphFlow:
    lead_name, left_name, right_name, judge_name = names
    lead = AssistantAgent(lead_name, model_client=model_client)
    # Only the left branch's approval may time out: the right one waits for its answer.
    left_tool = FunctionTool(ship, approval="always", approval_timeout=timeout)
    left = AssistantAgent(left_name, model_client=model_client, tools=[left_tool])
    right = AssistantAgent(right_name, model_client=model_client, tools=[FunctionTool(ship, approval="always")])
    judge = AssistantAgent(judge_name, model_client=model_client)
    builder = DiGraphBuilder().add_node(lead).add_node(left).add_node(right).add_node(judge)
    builder.add_edge(lead, left).add_edge(lead, right).add_edge(left, judge).add_edge(right, judge)
    return GraphFlow(builder.get_participants(), graph=builder.build(), name=name)


def gates(model_client: ModelClient) -> GraphFlow:
    """lead -> (left, right: each approval-gated) -> judge."""
    return _fan_out("gates", model_client, ("lead", "left", "right", "judge"), None)


def quick_gates(model_client: ModelClient) -> GraphFlow:
    """qlead -> (qleft: approval times out, qright: waits) -> qjudge."""
    return _fan_out("quickgates", model_client, ("qlead", "qleft", "qright", "qjudge"), TIMEOUT)


TEAMS = {
    "gates": TeamSpec(name="gates", description="two gated branches", build=gates, report_author="judge"),
    "quickgates": TeamSpec(
        name="quickgates", description="one gate times out", build=quick_gates, report_author="qjudge"
    ),
}

app = build_function_app(TEAMS, entities_for(TEAMS))
