"""An AutoGen team JSON whose assistant uses an MCP server: a streamable-HTTP workbench loads and its tool runs
(on the real server process the fixture starts); a stdio workbench is refused, because loading it would run the
command the JSON names."""

from __future__ import annotations

from typing import Any

import pytest
from autogen_agentchat.agents import AssistantAgent as AgAssistant
from autogen_agentchat.teams import RoundRobinGroupChat as AgRoundRobin
from autogen_core.models import ModelFamily, ModelInfo
from autogen_ext.models.replay import ReplayChatCompletionClient

from switchboard import dump_component, load_component
from switchboard.components import ComponentError
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.tools.mcp import McpWorkbench, StdioServerParams, StreamableHttpServerParams
from tests.support.autogen_components import autogen_load

MODEL = ModelInfo(
    vision=False, function_calling=True, json_output=False, family=ModelFamily.UNKNOWN, structured_output=False
)


def _team_json(bench: McpWorkbench) -> dict[str, Any]:
    agent = AgAssistant("calc", model_client=ReplayChatCompletionClient(["unused"], MODEL))
    spec: dict[str, Any] = AgRoundRobin([agent], max_turns=1).dump_component().model_dump(mode="json")
    spec["config"]["participants"][0]["config"]["workbench"] = [bench.dump_component()]
    return spec


async def test_a_team_json_with_an_http_mcp_workbench_calls_the_servers_tool(
    http_params: StreamableHttpServerParams,
) -> None:
    spec = _team_json(McpWorkbench(http_params))
    script = Script.model_validate(
        {"agents": {"*": [{"tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 3}}]}]}}
    )
    team = load_component(spec, model_override=lambda _spec, _path: ScriptedModelClient(script))
    (bench,) = team.participants[0].workbenches
    assert isinstance(bench, McpWorkbench)
    assert bench.server_params == http_params

    result = await team.run("add 2 and 3")
    assert result.transcript[-1].content == "5"
    dumped = dump_component(team)
    assert dumped["config"]["participants"][0]["config"]["workbench"][0]["provider"] == (
        "autogen_ext.tools.mcp.McpWorkbench"
    )
    assert autogen_load(dumped) is not None


def test_a_stdio_mcp_workbench_in_json_is_refused_by_path(stdio_params: StdioServerParams) -> None:
    with pytest.raises(ComponentError, match="stdio server runs a command") as refused:
        load_component(_team_json(McpWorkbench(stdio_params)))
    assert refused.value.path == "config.participants[0].config.workbench[0].config.server_params"
