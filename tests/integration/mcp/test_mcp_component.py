"""`McpWorkbench` serialises as AutoGen's `McpWorkbench` component, both ways, and AutoGen uses our dump."""

from __future__ import annotations

import pytest
from autogen_core import ComponentModel
from autogen_ext.tools.mcp import McpWorkbench as AutoGenMcpWorkbench
from autogen_ext.tools.mcp import StdioServerParams as AutoGenStdioServerParams

from switchboard.tools.mcp import PROVIDER, McpConfigError, McpWorkbench, StdioServerParams, StreamableHttpServerParams
from switchboard.tools.mcp.params import ToolOverride


async def test_autogen_loads_our_dump_and_lists_the_servers_tools(http_params: StreamableHttpServerParams) -> None:
    ours = McpWorkbench(http_params, tool_overrides={"add": ToolOverride(name="plus")})
    dumped = ours.dump_component()
    assert (dumped["provider"], dumped["component_type"]) == (PROVIDER, "workbench")

    theirs = AutoGenMcpWorkbench.load_component(ComponentModel.model_validate(dumped))
    try:
        names = {tool["name"] for tool in await theirs.list_tools()}
    finally:
        await theirs.stop()
    assert names == {"plus", "call_count", "explode"}


async def test_we_load_autogens_dump(stdio_params: StdioServerParams) -> None:
    theirs = AutoGenMcpWorkbench(AutoGenStdioServerParams(**stdio_params.model_dump(exclude={"type"})))
    ours = McpWorkbench.load_component(theirs.dump_component().model_dump(mode="json"))
    assert ours.server_params == stdio_params
    assert {spec.name for spec in await ours.list_tools()} == {"add", "call_count", "explode"}


def test_a_bad_component_names_the_field_and_other_providers_are_refused() -> None:
    with pytest.raises(McpConfigError, match=r"config\.server_params\.StdioServerParams\.command"):
        McpWorkbench.load_component({"provider": PROVIDER, "config": {"server_params": {"type": "StdioServerParams"}}})
    with pytest.raises(McpConfigError, match="provider"):
        McpWorkbench.load_component({"provider": "autogen_core.tools.StaticWorkbench", "config": {}})
