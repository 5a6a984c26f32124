"""`AgentContext`: what a handler sees of the world, and where it puts what it emits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from switchboard.agent.cancellation import CancellationToken
from switchboard.agent.clock import Clock
from switchboard.agent.state import AgentState
from switchboard.agent.steps import NullJournal, StepLedger, StepRecorder
from switchboard.agent.transcript_buffer import EmptyTranscript, TranscriptBuffer, TranscriptReader
from switchboard.messages import Envelope, Message

StateT = TypeVar("StateT", bound=AgentState)
T = TypeVar("T")


@dataclass(frozen=True)
class Emission:
    """One message a handler emitted: published to every subscriber (`to` is None) or sent to one agent."""

    message: Message
    to: str | None


class AgentContext(Generic[StateT]):
    """The context of one handler call.

    Emitting is buffered: `publish` and `send` add to an outbox that the host sends only after the new state is
    committed, so a handler that fails emits nothing and a redelivered message does not emit twice. Transcript
    appends are buffered into the same commit. Model and tool calls go through `checkpoint`, so a redelivered
    message replays them instead of calling again.

    Attributes:
        agent_name: The name of the agent handling the message.
        envelope: The incoming envelope (ids, sender, trace context).
        state: The agent's state for this run; mutate it, and it is saved when the handler returns.
        clock: The time source.
        cancellation: Set when the run is cancelled.
        transcript: The run's transcript: committed entries plus the ones this call appends.
        steps: The checkpointed steps of this call.
    """

    def __init__(
        self,
        *,
        agent_name: str,
        envelope: Envelope,
        state: StateT,
        clock: Clock,
        cancellation: CancellationToken,
        journal: StepRecorder | None = None,
        transcript_log: TranscriptReader | None = None,
    ) -> None:
        """Build the context; without a journal every step is called, without a log the transcript starts empty."""
        self.agent_name = agent_name
        self.envelope = envelope
        self.state = state
        self.clock = clock
        self.cancellation = cancellation
        self.steps = StepLedger(
            journal or NullJournal(), run_id=envelope.run_id, agent=agent_name, message_id=envelope.message_id
        )
        self.transcript = TranscriptBuffer(transcript_log or EmptyTranscript(), envelope.run_id)
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

    async def checkpoint(
        self,
        kind: str,
        call: Callable[[], Awaitable[T]],
        *,
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
    ) -> T:
        """Run `call` as a checkpointed step: on a redelivery its journaled result is returned without calling.

        Steps are numbered in the order a handler reaches them (key `<agent>:<message_id>:<n>`), so handlers must
        reach them in the same order given the same replayed results (no wall-clock or random branching).

        Example:
            >>> reply = await ctx.checkpoint(
            ...     "chat", lambda: client.create(request),
            ...     encode=lambda r: r.model_dump(mode="json"), decode=ModelResponse.model_validate,
            ... )
        """
        return await self.steps.checkpoint(kind, call, encode=encode, decode=decode)

    def idempotency_key(self, suffix: str = "") -> str:
        """A key for the effect of the step in progress, the same on every delivery of this message.

        It names the run, the agent, the message and the step index (`<run>:<agent>:<message_id>:<n>[:suffix]`);
        a side-effecting tool passes it to whatever it changes, which does the change once per key.
        """
        return self.steps.idempotency_key(suffix)

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
