"""Function tools: a typed Python function becomes a tool the model can call."""

from switchboard.tools.conversion import ToolLike, as_tool
from switchboard.tools.function_tool import FunctionTool, tool

__all__ = ["FunctionTool", "ToolLike", "as_tool", "tool"]
