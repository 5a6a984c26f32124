"""Function-style agents: a plain async function becomes an agent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from switchboard.agent.base import Agent
from switchboard.agent.context import AgentContext
from switchboard.agent.routing import handled_types
from switchboard.agent.state import AgentState, NoState

Handler = Callable[[Any, AgentContext[Any]], Awaitable[None]]


class FunctionAgent(Agent[AgentState]):
    """An agent whose handler is a function; made by `function_agent`."""

    _routes_per_instance: ClassVar[bool] = True

    def __init__(
        self,
        name: str,
        fn: Handler,
        *,
        state_type: type[AgentState] = NoState,
        description: str = "",
    ) -> None:
        self._fn = fn
        self.handles = handled_types(fn, owner=f"function agent {name!r}")
        self.state_type = state_type
        super().__init__(name, description=description or (fn.__doc__ or "").strip())

    async def handle(self, message: Any, ctx: AgentContext[AgentState]) -> None:
        """Call the wrapped function."""
        await self._fn(message, ctx)


def function_agent(
    name: str, *, state_type: type[AgentState] = NoState, description: str = ""
) -> Callable[[Handler], FunctionAgent]:
    """Make an agent from an async function `fn(message: T, ctx) -> None`.

    Example:
        >>> @function_agent("echo")
        ... async def echo(message: Ping, ctx: AgentContext[NoState]) -> None:
        ...     ctx.send(Pong(n=message.n), to=ctx.sender or "client")
    """

    def decorate(fn: Handler) -> FunctionAgent:
        return FunctionAgent(name, fn, state_type=state_type, description=description)

    return decorate
