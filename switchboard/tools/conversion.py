"""`as_tool`: what an agent's `tools=[...]` accepts — a `FunctionTool`, or a plain typed function (as in AutoGen)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from switchboard.errors import AgentDefinitionError
from switchboard.tools.function_tool import FunctionTool

ToolLike = FunctionTool | Callable[..., Any]
"""A `FunctionTool`, or a function (sync or async) with type hints, wrapped as `FunctionTool(fn)`."""


def as_tool(item: object, *, owner: str) -> FunctionTool:
    """Turn one entry of `tools=[...]` into a `FunctionTool`.

    A plain function becomes a tool the way AutoGen's `FunctionTool` makes one: its `__name__` names it, its
    docstring describes it and its type hints give the argument schema.

    Args:
        item: The entry.
        owner: The agent's name, for the error.

    Raises:
        AgentDefinitionError: The entry is neither a `FunctionTool` nor a function (or the function cannot be
            described, e.g. a parameter without a type hint).
    """
    if isinstance(item, FunctionTool):
        return item
    if inspect.isfunction(item) or inspect.ismethod(item) or inspect.isbuiltin(item):
        return FunctionTool(item)
    raise AgentDefinitionError(
        f"{owner}: tools=[...] takes FunctionTool objects or typed functions, not {type(item).__name__} {item!r}"
    )
