"""Function tools: a typed Python function becomes a tool the model can call."""

from switchboard.tools.function_tool import FunctionTool, tool

__all__ = ["FunctionTool", "tool"]
