"""`Agent`: the base of every agent. An agent handles the message type its handler's hint names."""

from __future__ import annotations

import typing
from typing import Any, Generic

from switchboard.agent.context import AgentContext, StateT
from switchboard.agent.declarative import Declarative
from switchboard.agent.naming import check_agent_name
from switchboard.agent.routing import handled_types
from switchboard.agent.state import AgentState, NoState
from switchboard.errors import AgentDefinitionError
from switchboard.messages import Message


class Agent(Declarative, Generic[StateT]):
    """An actor: owns its state, handles one message type (or a union), and emits messages.

    Subclass it with a type parameter naming its state (or none), and define `handle`; the handler's message type
    hint is the routing key.

    Example:
        >>> class Counter(Agent[CountState]):
        ...     async def handle(self, message: Ping, ctx: AgentContext[CountState]) -> None:
        ...         ctx.state.count += 1
        ...         ctx.send(Pong(n=message.n), to=ctx.sender or "client")

    Attributes:
        name: The agent's name: unique in a deployment, the address for `send`, and hosted its queue's name
            (`switchboard.agent.naming`: lower-case letters, digits and `-`).
        description: What it does, for humans and for LLM speaker selection.
    """

    # Set per class from the generic parameter and the handler's hint; a function agent sets them per instance.
    state_type: type[AgentState] = NoState
    handles: tuple[type[Message], ...] = ()

    def __init__(self, name: str, *, description: str = "") -> None:
        try:
            check_agent_name(name)  # hosting's queue/function rule, checked when the agent is built
        except ValueError as error:
            raise AgentDefinitionError(str(error)) from None
        if not self.handles:
            raise AgentDefinitionError(f"{type(self).__name__} defines no handle(message, ctx) method")
        self.name = name
        self.description = description

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        state = _state_from_generic(cls)
        if state is not None and "state_type" not in cls.__dict__:
            cls.state_type = state
        if "handle" in cls.__dict__ and not cls.__dict__.get("_routes_per_instance", False):
            cls.handles = handled_types(cls.__dict__["handle"], owner=cls.__qualname__)

    async def handle(self, message: Any, ctx: AgentContext[StateT]) -> None:
        """Handle one message. Override it; the hint on `message` says which types this agent takes."""
        raise NotImplementedError

    def accepts(self, message: Message) -> bool:
        """Whether this agent handles `message`'s type."""
        return isinstance(message, self.handles)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def _state_from_generic(cls: type) -> type[AgentState] | None:
    for base in getattr(cls, "__orig_bases__", ()):
        if typing.get_origin(base) is Agent:
            (arg,) = typing.get_args(base)
            if isinstance(arg, type) and issubclass(arg, AgentState):
                return arg
    return None
