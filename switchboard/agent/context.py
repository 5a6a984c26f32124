"""`AgentContext`: what a handler sees of the world, and where it puts what it emits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from switchboard.agent.cancellation import CancellationToken
from switchboard.agent.clock import Clock
from switchboard.agent.state import AgentState
from switchboard.messages import Envelope, Message

StateT = TypeVar("StateT", bound=AgentState)


@dataclass(frozen=True)
class Emission:
    """One message a handler emitted: published to every subscriber (`to` is None) or sent to one agent."""

    message: Message
    to: str | None


class AgentContext(Generic[StateT]):
    """The context of one handler call.

    Emitting is buffered: `publish` and `send` add to an outbox that the host sends only after the new state is
    saved, so a handler that fails emits nothing and a redelivered message does not emit twice.

    Attributes:
        agent_name: The name of the agent handling the message.
        envelope: The incoming envelope (ids, sender, trace context).
        state: The agent's state for this run; mutate it, and it is saved when the handler returns.
        clock: The time source.
        cancellation: Set when the run is cancelled.
    """

    def __init__(
        self,
        *,
        agent_name: str,
        envelope: Envelope,
        state: StateT,
        clock: Clock,
        cancellation: CancellationToken,
    ) -> None:
        self.agent_name = agent_name
        self.envelope = envelope
        self.state = state
        self.clock = clock
        self.cancellation = cancellation
        self._outbox: list[Emission] = []

    @property
    def run_id(self) -> str:
        """The run the message belongs to."""
        return self.envelope.run_id

    @property
    def sender(self) -> str | None:
        """Who emitted the incoming message (an agent name, or the client)."""
        return self.envelope.source

    def now(self) -> datetime:
        """The current time from the context's clock."""
        return self.clock.now()

    def publish(self, message: Message) -> None:
        """Publish `message` to every agent that handles its type, after this handler succeeds."""
        self._outbox.append(Emission(message=message, to=None))

    def send(self, message: Message, *, to: str) -> None:
        """Send `message` to the agent named `to`, after this handler succeeds."""
        if not to:
            raise ValueError("send() needs a target agent name")
        self._outbox.append(Emission(message=message, to=to))

    @property
    def outbox(self) -> tuple[Emission, ...]:
        """What the handler emitted so far, in order."""
        return tuple(self._outbox)
