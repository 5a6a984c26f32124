"""`Router`: which agents take which message types, and how a publish fans out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from switchboard.agent import Agent
from switchboard.errors import AgentDefinitionError, UnroutableMessageError
from switchboard.messages import Envelope, Message, MessageRegistry


class Router:
    """The routing table of a set of agents: names for `send`, type subscriptions for `publish`.

    It also builds the `MessageRegistry` of every type the agents handle, plus any extra types given (messages that
    are emitted but handled elsewhere, such as a run's final result).
    """

    def __init__(self, agents: Iterable[Agent[Any]], *, extra_messages: Iterable[type[Message]] = ()) -> None:
        self._agents: dict[str, Agent[Any]] = {}
        self._subscribers: dict[str, list[str]] = {}
        self.registry = MessageRegistry(extra_messages)
        for agent in agents:
            if agent.name in self._agents:
                raise AgentDefinitionError(f"two agents are named {agent.name!r}")
            self._agents[agent.name] = agent
            for cls in agent.handles:
                self.registry.register(cls)
                self._subscribers.setdefault(cls.message_type, []).append(agent.name)

    @property
    def agents(self) -> Mapping[str, Agent[Any]]:
        """Every agent by name."""
        return self._agents

    def agent(self, name: str) -> Agent[Any]:
        """Return the agent named `name`.

        Raises:
            UnroutableMessageError: No such agent.
        """
        try:
            return self._agents[name]
        except KeyError:
            raise UnroutableMessageError(f"no agent named {name!r}") from None

    def decode(self, envelope: Envelope) -> Message:
        """Decode a targeted envelope's message, checking that its target agent takes it.

        Raises:
            UnroutableMessageError: No target, an unknown target, or a target that does not take this type.
            BadMessageError: Any other decoding failure (unknown type, version, invalid payload).
        """
        if envelope.target is None:
            raise UnroutableMessageError(f"{envelope.type} message {envelope.message_id} has no target agent")
        agent = self.agent(envelope.target)
        message = self.registry.decode(envelope)
        if not agent.accepts(message):
            raise UnroutableMessageError(f"agent {agent.name!r} does not handle {envelope.type} messages")
        return message

    def subscribers(self, type_name: str) -> tuple[str, ...]:
        """The names of the agents that handle `type_name`, in registration order."""
        return tuple(self._subscribers.get(type_name, ()))

    def expand(self, envelope: Envelope) -> list[Envelope]:
        """Turn an envelope into deliveries: itself if targeted, else one copy per subscriber (maybe none)."""
        if envelope.target is not None:
            return [envelope]
        return [envelope.retarget(name) for name in self.subscribers(envelope.type)]
