"""Reading which message types a handler takes from its type hint: the hint is the routing key."""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

from switchboard.errors import AgentDefinitionError
from switchboard.messages import Message


def handled_types(handler: Callable[..., Any], *, owner: str) -> tuple[type[Message], ...]:
    """Return the message classes named by the type hint of a handler's first message parameter.

    The hint may be one `Message` subclass or a union of them.

    Args:
        handler: The handler function (`handle(self, message, ctx)` or `fn(message, ctx)`).
        owner: Who declares it, for error messages.

    Raises:
        AgentDefinitionError: The hint is missing or names something that is not a `Message` subclass.
    """
    params = [p for p in inspect.signature(handler).parameters.values() if p.name != "self"]
    if len(params) != 2:
        raise AgentDefinitionError(f"{owner}: a handler takes (message, ctx); got {len(params)} parameters")
    try:
        hints = typing.get_type_hints(handler)
    except Exception as exc:
        raise AgentDefinitionError(f"{owner}: cannot resolve the handler's type hints: {exc}") from exc
    hint = hints.get(params[0].name)
    if hint is None:
        raise AgentDefinitionError(
            f"{owner}: the handler's message parameter needs a type hint naming the message type it handles"
        )
    members = typing.get_args(hint) if _is_union(hint) else (hint,)
    result: list[type[Message]] = []
    for member in members:
        if not (isinstance(member, type) and issubclass(member, Message)) or member is Message:
            raise AgentDefinitionError(f"{owner}: handler type hint {member!r} is not a Message subclass")
        result.append(member)
    return tuple(result)


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)
