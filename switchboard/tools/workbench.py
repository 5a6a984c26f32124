"""`Workbench`: tools an agent lists when it first needs them (AutoGen's `workbench=`), such as an MCP server's."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from switchboard.tools.function_tool import FunctionTool


@runtime_checkable
class Workbench(Protocol):
    """Lists its tools asynchronously; the agent runs them like its own (approval, checkpoints, timeouts)."""

    async def tools(self) -> list[FunctionTool]:
        """The tools on offer now."""
        ...
