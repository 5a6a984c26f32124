"""The registry of allowed tools: a component JSON names a tool, it never carries the code that runs.

AutoGen's `FunctionTool` stores the function's source and executes it on load; here the tool's `name` is looked
up in this registry and the stored source is ignored, so loading a JSON file never runs code from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from switchboard.components.errors import ComponentError
from switchboard.tools import FunctionTool


class ToolRegistry:
    """Tools a component spec may use, by name."""

    def __init__(self, tools: Iterable[FunctionTool | Callable[..., Any]] = ()) -> None:
        """Allow `tools` (plain typed functions become `FunctionTool`s named after the function)."""
        self._tools: dict[str, FunctionTool] = {}
        for tool in tools:
            self.register(tool)

    def register(self, tool: FunctionTool | Callable[..., Any]) -> FunctionTool:
        """Allow `tool` under its name; a second tool with the same name is refused.

        Raises:
            ComponentError: The name is already taken by another tool.
        """
        function_tool = tool if isinstance(tool, FunctionTool) else FunctionTool(tool)
        existing = self._tools.get(function_tool.name)
        if existing is not None and existing is not function_tool:
            raise ComponentError("", f"tool {function_tool.name!r} is registered twice")
        self._tools[function_tool.name] = function_tool
        return function_tool

    def get(self, name: str, path: str) -> FunctionTool:
        """The allowed tool `name`, asked for at `path`.

        Raises:
            ComponentError: No tool of that name is registered.
        """
        tool = self._tools.get(name)
        if tool is None:
            known = ", ".join(sorted(self._tools)) or "none"
            raise ComponentError(
                path,
                f"tool {name!r} is not in the registry of allowed tools (registered: {known}); "
                "code stored in the JSON is never executed",
            )
        return tool

    def names(self) -> list[str]:
        """The registered tool names, sorted."""
        return sorted(self._tools)
