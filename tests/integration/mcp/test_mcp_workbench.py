"""`McpWorkbench` against a real FastMCP server process: stdio and streamable HTTP, in agents, approved, replayed."""

from __future__ import annotations

import pytest

from switchboard.agentchat import AssistantAgent
from switchboard.models.chat import ToolCall, ToolSpec
from switchboard.protocol.input_messages import InputRequested
from switchboard.teams import RoundRobinGroupChat
from switchboard.tools.mcp import (
    McpConnectionError,
    McpTool,
    McpWorkbench,
    StdioServerParams,
    StreamableHttpServerParams,
)
from switchboard.tools.mcp.params import ToolOverride
from tests.support.teams import scripted


def adder_model(*extra: dict[str, object]) -> object:
    return scripted(
        {
            "worker": [
                {"tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 3}}]},
                *extra,
                {"content": "the sum is 5"},
            ]
        }
    )


@pytest.mark.parametrize("transport", ["stdio", "http"])
async def test_tools_are_listed_and_called(
    transport: str, stdio_params: StdioServerParams, http_params: StreamableHttpServerParams
) -> None:
    bench = McpWorkbench(stdio_params if transport == "stdio" else http_params)
    specs = {spec.name: spec for spec in await bench.list_tools()}
    assert set(specs) == {"add", "call_count", "explode"}
    assert specs["add"].parameters["required"] == ["a", "b"]
    assert await bench.call_tool("add", {"a": 20, "b": 22}) == ("42", False)
    text, failed = await bench.call_tool("explode", {"reason": "on purpose"})
    assert failed
    assert "on purpose" in text


@pytest.mark.parametrize("transport", ["stdio", "http"])
async def test_an_assistant_calls_server_tools_through_its_workbench(
    transport: str, stdio_params: StdioServerParams, http_params: StreamableHttpServerParams
) -> None:
    bench = McpWorkbench(stdio_params if transport == "stdio" else http_params)
    worker = AssistantAgent("worker", model_client=adder_model(), workbench=bench)  # type: ignore[arg-type]
    result = await RoundRobinGroupChat([worker], max_turns=1).run(task="add 2 and 3")
    (activity,) = result.final.tool_activity
    assert (activity.name, activity.result, activity.is_error) == ("add", "5", False)
    assert result.final.content == "the sum is 5"


async def test_tools_given_as_tools_and_renamed(http_params: StreamableHttpServerParams) -> None:
    bench = McpWorkbench(http_params, tool_overrides={"add": ToolOverride(name="plus", description="Sum.")})
    tools = await bench.tools()
    plus = next(t for t in tools if t.name == "plus")
    assert plus.spec.description == "Sum."
    model = scripted({"worker": [{"tool_calls": [{"name": "plus", "arguments": {"a": 1, "b": 1}}]}, {"content": "2"}]})
    worker = AssistantAgent("worker", model_client=model, tools=tools)
    result = await RoundRobinGroupChat([worker], max_turns=1).run(task="1+1")
    assert [(a.name, a.result) for a in result.final.tool_activity] == [("plus", "2")]


async def test_an_approved_call_resumes_the_turn_without_calling_earlier_tools_again(
    http_params: StreamableHttpServerParams,
) -> None:
    # add runs freely, call_count needs approval: the turn pauses after add, and on resuming it replays add's
    # recorded result instead of calling the server again, so the count the server reports is still 1.
    bench = McpWorkbench(http_params, approval={"call_count": "always"})
    model = adder_model({"tool_calls": [{"name": "call_count", "arguments": {}}]})
    worker = AssistantAgent("worker", model_client=model, workbench=bench, max_tool_iterations=2)  # type: ignore[arg-type]
    asked: list[InputRequested] = []

    def approve(request: InputRequested) -> bool:
        asked.append(request)
        return True

    result = await RoundRobinGroupChat([worker], max_turns=1).run(task="add, then count", approval_func=approve)
    assert [request.tool for request in asked] == ["call_count"]
    assert [(a.name, a.result) for a in result.final.tool_activity] == [("add", "5"), ("call_count", "1")]


async def test_a_denied_call_never_reaches_the_server(http_params: StreamableHttpServerParams) -> None:
    bench = McpWorkbench(http_params, approval="always")
    worker = AssistantAgent("worker", model_client=adder_model(), workbench=bench)  # type: ignore[arg-type]
    result = await RoundRobinGroupChat([worker], max_turns=1).run(task="add", approval_func=lambda _: False)
    (activity,) = result.final.tool_activity
    assert activity.is_error
    assert await bench.call_tool("call_count") == ("0", False)


async def test_one_session_serves_every_call_inside_async_with(stdio_params: StdioServerParams) -> None:
    # A stdio server is one process per session: the call count survives only within the kept session.
    async with McpWorkbench(stdio_params) as bench:
        await bench.call_tool("add", {"a": 1, "b": 2})
        assert await bench.call_tool("call_count") == ("1", False)
    assert await bench.call_tool("call_count") == ("0", False)


async def test_an_unreachable_server_is_a_typed_error_naming_it_and_an_error_result_for_the_model() -> None:
    bench = McpWorkbench(StreamableHttpServerParams(url="http://127.0.0.1:9/mcp", timeout=2))
    with pytest.raises(McpConnectionError, match=r"127\.0\.0\.1:9/mcp"):
        await bench.list_tools()
    bad = McpWorkbench(StdioServerParams(command="/nonexistent/mcp-server", read_timeout_seconds=2))
    with pytest.raises(McpConnectionError, match="/nonexistent/mcp-server"):
        await bad.list_tools()
    # Mid-run, the model gets the failure as the call's error result and the turn goes on.
    tool = McpTool(ToolSpec(name="add", description="Add.", parameters={}), bench.call_tool, server_name="add")
    result = await tool.run(ToolCall(id="c1", name="add", arguments='{"a": 1, "b": 2}'))
    assert result.is_error
    assert "cannot open an MCP session" in result.content
