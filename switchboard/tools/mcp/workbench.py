"""`McpWorkbench`: the tools of one MCP server, listed and called by agents, serialisable as AutoGen's component.

Without `start()` (or `async with`), every listing and call opens its own short session: always correct, and the
only shape a serverless host can rely on (any instance may run the next step). Inside `async with workbench:` one
session serves every call, which saves a process start per call for a stdio server.

Its component JSON is AutoGen's `McpWorkbench` (`autogen_ext.tools.mcp.McpWorkbench`, type `workbench`), so
`dump_component()` loads in AutoGen and AutoGen's dump loads here (`McpWorkbench.load_component`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from switchboard.models.chat import ToolSpec
from switchboard.tools.function_tool import Approval
from switchboard.tools.mcp.errors import McpConfigError
from switchboard.tools.mcp.params import McpServerParams, StdioServerParams, StreamableHttpServerParams, ToolOverride
from switchboard.tools.mcp.session import McpSession, open_session
from switchboard.tools.mcp.tool import McpTool

PROVIDER = "autogen_ext.tools.mcp.McpWorkbench"
"""The component provider name AutoGen gives its MCP workbench; ours writes and reads the same."""


class McpWorkbenchConfig(BaseModel):
    """The component's `config`: AutoGen's fields (its optional sampling `model_client` is not supported)."""

    model_config = ConfigDict(extra="forbid")

    server_params: McpServerParams
    tool_overrides: dict[str, ToolOverride] = Field(default_factory=dict)
    model_client: None = None


class McpWorkbench:
    """An MCP server's tools for agents: `AssistantAgent(workbench=McpWorkbench(params))`.

    Example:
        >>> params = StdioServerParams(command="python", args=["my_server.py"])
        >>> agent = AssistantAgent("a", model_client=client, workbench=McpWorkbench(params))
    """

    component_type = "workbench"
    component_provider_override = PROVIDER

    def __init__(
        self,
        server_params: StdioServerParams | StreamableHttpServerParams,
        *,
        tool_overrides: Mapping[str, ToolOverride] | None = None,
        approval: Approval | Mapping[str, Approval] = "never",
        approval_timeout: float | None = None,
        timeout: float = 30.0,
    ) -> None:
        """Reach the server by `server_params`.

        Args:
            server_params: How to start or reach the server.
            tool_overrides: New names/descriptions per server tool name (AutoGen's `tool_overrides`).
            approval: `always` to have a person approve every call, or per (model-facing) tool name.
            approval_timeout: Seconds an approval may wait before the call is denied.
            timeout: Seconds one tool call may take.
        """
        self.server_params = server_params
        self.tool_overrides = dict(tool_overrides or {})
        self.approval = approval
        self.approval_timeout = approval_timeout
        self.timeout = timeout
        self._live: McpSession | None = None
        self._stack: AsyncExitStack | None = None

    async def start(self) -> None:
        """Open one session for every call until `stop()` (enter and leave it in the same task)."""
        if self._live is not None:
            return
        stack = AsyncExitStack()
        self._live = await stack.enter_async_context(open_session(self.server_params))
        self._stack = stack

    async def stop(self) -> None:
        """Close the session `start()` opened (and, for stdio, end the server process)."""
        stack, self._stack, self._live = self._stack, None, None
        if stack is not None:
            await stack.aclose()

    async def __aenter__(self) -> McpWorkbench:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def list_tools(self) -> list[ToolSpec]:
        """The server's tools as the model sees them (overrides applied).

        Raises:
            McpConnectionError: The server could not be reached.
        """
        async with self._session() as session:
            specs = await session.list_tools()
        return [self._override(spec) for spec in specs]

    async def call_tool(self, name: str, arguments: Mapping[str, Any] | None = None) -> tuple[str, bool]:
        """Call the server tool `name` (its server-side name) and return its text and whether it failed.

        Raises:
            McpConnectionError: The server could not be reached.
        """
        async with self._session() as session:
            return await session.call_tool(name, dict(arguments or {}))

    async def tools(self) -> list[McpTool]:
        """The server's tools as agent tools, approved and checkpointed like any `FunctionTool`."""
        by_new_name = {o.name: server for server, o in self.tool_overrides.items() if o.name}
        return [
            McpTool(
                spec,
                self.call_tool,
                server_name=by_new_name.get(spec.name, spec.name),
                timeout=self.timeout,
                approval=self._approval_for(spec.name),
                approval_timeout=self.approval_timeout,
            )
            for spec in await self.list_tools()
        ]

    def _approval_for(self, name: str) -> Approval:
        return self.approval if isinstance(self.approval, str) else self.approval.get(name, "never")

    def _override(self, spec: ToolSpec) -> ToolSpec:
        override = self.tool_overrides.get(spec.name)
        if override is None:
            return spec
        return spec.model_copy(
            update={"name": override.name or spec.name, "description": override.description or spec.description}
        )

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[McpSession]:
        if self._live is not None:
            yield self._live
            return
        async with open_session(self.server_params) as session:
            yield session

    def _to_config(self) -> McpWorkbenchConfig:
        return McpWorkbenchConfig(server_params=self.server_params, tool_overrides=self.tool_overrides)

    def dump_component(self) -> dict[str, Any]:
        """AutoGen's component JSON for this workbench (`autogen_ext.tools.mcp.McpWorkbench`).

        The server's `env` and `headers` are written as given: keep secrets out of them (use settings).
        """
        return {
            "provider": PROVIDER,
            "component_type": self.component_type,
            "version": 1,
            "component_version": 1,
            "description": "An MCP server's tools.",
            "label": "McpWorkbench",
            "config": self._to_config().model_dump(mode="json", exclude_none=True),
        }

    @classmethod
    def load_component(cls, component: Mapping[str, Any]) -> McpWorkbench:
        """Build a workbench from AutoGen's component JSON (a parsed dict).

        Raises:
            McpConfigError: Another provider, or a config that does not validate (the message names the field).
        """
        if component.get("provider") not in (PROVIDER, "McpWorkbench"):
            raise McpConfigError(f"provider: expected {PROVIDER!r}, got {component.get('provider')!r}")
        try:
            config = McpWorkbenchConfig.model_validate(component.get("config"))
        except ValidationError as error:
            where = "; ".join(f"config.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            raise McpConfigError(f"invalid McpWorkbench component: {where}") from None
        return cls(config.server_params, tool_overrides=config.tool_overrides)
