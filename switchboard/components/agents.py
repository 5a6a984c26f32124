"""Agents, their tools and memories between AutoGen's component JSON and Switchboard.

An `AssistantAgent` keeps its model client, system message, tools, handoffs, model context, memory, tool
iterations and reflection; a tool is resolved by name from the `ToolRegistry` (AutoGen's stored `source_code` is
never executed); a `UserProxyAgent` keeps its name and description.
"""

from __future__ import annotations

import inspect
import textwrap
from typing import Any, cast

from switchboard.agent import Agent
from switchboard.agentchat import AssistantAgent, UserProxyAgent
from switchboard.agentchat.code_executor_agent import CodeExecutorAgent
from switchboard.agentchat.handoff import Handoff
from switchboard.components.code_agents import dump_code_executor_agent
from switchboard.components.errors import ComponentError
from switchboard.components.loader import Loader, unsupported, want
from switchboard.components.models import dump_context, dump_model
from switchboard.components.naming import agent_name
from switchboard.components.spec import ComponentSpec, component, join
from switchboard.memory import ListMemory, MemoryContent
from switchboard.tools import FunctionTool
from switchboard.tools.mcp import PROVIDER as MCP_PROVIDER
from switchboard.tools.mcp import McpConfigError, McpTool, McpWorkbench
from switchboard.tools.workbench import Workbench

ASSISTANT = "autogen_agentchat.agents.AssistantAgent"
USER_PROXY = "autogen_agentchat.agents.UserProxyAgent"
FUNCTION_TOOL = "autogen_core.tools.FunctionTool"
LIST_MEMORY = "autogen_core.memory.ListMemory"
WORKBENCHES = ("autogen_core.tools.StaticWorkbench", "autogen_core.tools.StaticStreamWorkbench")


def load_assistant(loader: Loader, spec: ComponentSpec, path: str) -> AssistantAgent:
    """Our `AssistantAgent` for AutoGen's (component versions 1 and 2)."""
    config = spec.config
    unsupported(config, path, {"tool_call_summary_format": "{result}", "output_content_type": None})
    name = agent_name(want(config, "name", str, path, ""), join(path, "name"))
    if "model_client" not in config:
        raise ComponentError(join(path, "model_client"), "an assistant needs a model client")
    static, mcp = _workbenches(loader, want(config, "workbench", (list, dict), path, []), join(path, "workbench"))
    tools = [*_tools(loader, want(config, "tools", list, path, []), join(path, "tools")), *static]
    memory = [
        loader.load(item, join(join(path, "memory"), i), "memory")
        for i, item in enumerate(want(config, "memory", list, path, []))
    ]
    options: dict[str, Any] = {}
    if config.get("model_context") is not None:
        options["model_context"] = loader.load(config["model_context"], join(path, "model_context"))
    if config.get("system_message") is not None:
        options["system_message"] = want(config, "system_message", str, path)
    return AssistantAgent(
        name,
        model_client=loader.load(config["model_client"], join(path, "model_client"), "model"),
        description=want(config, "description", str, path, ""),
        tools=tools,
        handoffs=_handoffs(want(config, "handoffs", list, path, []), join(path, "handoffs")),
        max_tool_iterations=want(config, "max_tool_iterations", int, path, 1),
        # AutoGen writes False when it had no structured output, which is its default.
        reflect_on_tool_use=bool(want(config, "reflect_on_tool_use", bool, path, False)),
        memory=memory,
        workbench=cast("list[Workbench]", mcp) or None,
        **options,
    )


def _tools(loader: Loader, items: list[Any], path: str) -> list[FunctionTool]:
    return [loader.load(item, join(path, i), "tool") for i, item in enumerate(items)]


def _workbenches(
    loader: Loader, items: list[Any] | dict[str, Any], path: str
) -> tuple[list[FunctionTool], list[McpWorkbench]]:
    benches = [items] if isinstance(items, dict) else items
    found: list[FunctionTool] = []
    servers: list[McpWorkbench] = []
    for i, bench in enumerate(benches):
        where = join(path, i) if isinstance(items, list) else path
        provider = bench.get("provider") if isinstance(bench, dict) else None
        if provider in (MCP_PROVIDER, "McpWorkbench"):
            servers.append(_mcp(bench, where))
            continue
        if provider not in WORKBENCHES:
            raise ComponentError(join(where, "provider"), "only static workbenches and MCP workbenches are supported")
        if bench.get("config", {}).get("tool_overrides"):
            raise ComponentError(join(join(where, "config"), "tool_overrides"), "tool overrides are not supported")
        found += _tools(loader, bench.get("config", {}).get("tools", []), join(join(where, "config"), "tools"))
    return found, servers


def _mcp(bench: dict[str, Any], path: str) -> McpWorkbench:
    """An MCP workbench over streamable HTTP; a stdio server would run a command the JSON names, so it is refused."""
    params = bench.get("config", {}).get("server_params", {})
    if not isinstance(params, dict) or params.get("type") != "StreamableHttpServerParams":
        raise ComponentError(
            join(path, "config.server_params"),
            "only a streamable-HTTP MCP server loads from JSON; a stdio server runs a command, so build it in code",
        )
    try:
        return McpWorkbench.load_component(bench)
    except McpConfigError as exc:
        raise ComponentError(path, exc.reason) from exc


def load_tool(loader: Loader, spec: ComponentSpec, path: str) -> FunctionTool:
    """The registered tool a `FunctionTool` spec names; its `source_code` is ignored, never run."""
    name = want(spec.config, "name", str, path)
    if not name:
        raise ComponentError(join(path, "name"), "a tool needs a name to be looked up in the registry")
    return loader.tools.get(name, path.removesuffix(".config"))  # the path of the tool component itself


def _handoffs(items: list[Any], path: str) -> list[Handoff]:
    handoffs: list[Handoff] = []
    for i, item in enumerate(items):
        where = join(path, i)
        if isinstance(item, str):
            handoffs.append(Handoff(target=agent_name(item, where)))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("target"), str):
            raise ComponentError(where, "a handoff is a target name or an object with a 'target'")
        handoffs.append(
            Handoff(
                target=agent_name(item["target"], join(where, "target")),
                description=item.get("description") or "",
                name=item.get("name") or "",
                message=item.get("message") or "",
            )
        )
    return handoffs


def load_user_proxy(loader: Loader, spec: ComponentSpec, path: str) -> UserProxyAgent:
    """Our `UserProxyAgent` (input comes from the console in-process, from `InputProvided` hosted)."""
    name = agent_name(want(spec.config, "name", str, path, ""), join(path, "name"))
    return UserProxyAgent(name, description=want(spec.config, "description", str, path, "A human user"))


def load_list_memory(loader: Loader, spec: ComponentSpec, path: str) -> ListMemory:
    """Our `ListMemory` with the same contents."""
    items = want(spec.config, "memory_contents", list, path, [])
    return ListMemory(
        name=want(spec.config, "name", str, path), memory_contents=[MemoryContent.model_validate(i) for i in items]
    )


def dump_agent(agent: Agent[Any], path: str) -> dict[str, Any]:
    """AutoGen's component for `agent`.

    Raises:
        ComponentError: The agent is not an assistant or user proxy, or holds code (structured output types).
    """
    at = join(path, "config")
    if isinstance(agent, UserProxyAgent):
        return component(USER_PROXY, "agent", {"name": agent.name, "description": agent.description})
    if isinstance(agent, CodeExecutorAgent):
        return dump_code_executor_agent(agent, path)
    if not isinstance(agent, AssistantAgent):
        raise ComponentError(path, f"agent {agent.name!r} ({type(agent).__name__}) has no declarative form")
    if agent.output_type is not None:
        raise ComponentError(join(at, "output_content_type"), "a structured output type has no declarative form")
    config: dict[str, Any] = {
        "name": agent.name,
        "model_client": dump_model(agent.model_client, join(at, "model_client")),
        "handoffs": [
            {"target": h.target, "description": h.description, "name": h.name, "message": h.message}
            for h in agent.handoffs.values()
        ],
        "model_context": dump_context(agent.model_context, join(at, "model_context")),
        "description": agent.description or agent.name,
        "system_message": agent.system_message,
        "model_client_stream": False,
        "reflect_on_tool_use": agent.reflect_on_tool_use,
        "tool_call_summary_format": "{result}",
        "max_tool_iterations": agent.max_tool_iterations,
        "metadata": {},
    }
    benches: list[dict[str, Any]] = []
    # Tools an MCP server listed (after a first turn) belong to its workbench, which is dumped below.
    own = [t for t in agent.tools.values() if not isinstance(t, McpTool)]
    if own:
        where = join(at, "workbench[0].config.tools")
        tools = [dump_tool(t, join(where, i)) for i, t in enumerate(own)]
        benches.append(component(WORKBENCHES[1], "workbench", {"tools": tools, "tool_overrides": {}}))
    for listed in agent.workbenches:
        bench: Any = listed  # McpWorkbench satisfies the Workbench protocol at run time (its tools are FunctionTools)
        if not isinstance(bench, McpWorkbench):
            raise ComponentError(join(at, "workbench"), f"workbench {type(bench).__name__} has no declarative form")
        benches.append(bench.dump_component())
    if benches:
        config["workbench"] = benches
    if agent.memory:
        config["memory"] = [dump_memory(m, join(join(at, "memory"), i)) for i, m in enumerate(agent.memory)]
    return component(ASSISTANT, "agent", config, version=2)


def dump_tool(tool: FunctionTool, path: str) -> dict[str, Any]:
    """AutoGen's `FunctionTool` component: its source is written for AutoGen (which runs it); we only read the name."""
    try:
        source = textwrap.dedent(inspect.getsource(tool.func))
    except (OSError, TypeError) as exc:
        raise ComponentError(path, f"tool {tool.name!r}: its source is not available for AutoGen") from exc
    config = {
        "source_code": source,
        "name": tool.name,
        "description": tool.description,
        "global_imports": [],
        "has_cancellation_support": tool.takes_cancellation,
    }
    return component(FUNCTION_TOOL, "tool", config)


def dump_memory(memory: Any, path: str) -> dict[str, Any]:
    """AutoGen's `ListMemory` component for `memory` (the one memory with a declarative form here)."""
    if not isinstance(memory, ListMemory):
        raise ComponentError(path, f"memory {type(memory).__name__} has no declarative form")
    contents = [c.model_dump(mode="json", exclude_none=True) for c in memory.content]
    return component(LIST_MEMORY, "memory", {"name": memory.name, "memory_contents": contents})


PROVIDERS = {
    ASSISTANT: ("agent", load_assistant),
    "AssistantAgent": ("agent", load_assistant),
    USER_PROXY: ("agent", load_user_proxy),
    "UserProxyAgent": ("agent", load_user_proxy),
    FUNCTION_TOOL: ("tool", load_tool),
    "FunctionTool": ("tool", load_tool),
    LIST_MEMORY: ("memory", load_list_memory),
    "ListMemory": ("memory", load_list_memory),
}
"""Allowed agent, tool and memory providers: name to (component type, builder)."""
