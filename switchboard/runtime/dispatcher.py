"""`Dispatcher`: the pure core every host reuses: envelope in, state loaded, handler run, a `Commit` out.

It stores nothing but checkpointed steps (written through as they finish) and sends nothing: the host stores the
commit and then sends its outbox (the outbox rule).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from switchboard.agent import Agent, AgentContext, CancellationToken, Clock, Emission, SystemClock
from switchboard.agent.state import AgentState
from switchboard.errors import UnroutableMessageError
from switchboard.instrumentation import current as current_telemetry
from switchboard.messages import Envelope, Message
from switchboard.runtime import references
from switchboard.runtime.protocols import (
    AttachmentLog,
    Commit,
    StateStore,
    StepJournal,
    TranscriptLog,
    TranscriptRecord,
)
from switchboard.runtime.router import Router

# Outgoing ids derive from the incoming id, so a redelivered message re-emits the same ids and the broker's
# duplicate detection drops the copies.
_OUTGOING_IDS = uuid.UUID("6f1c1f0e-5b1a-4c57-9a53-8d1c3b2f0a11")


@dataclass(frozen=True)
class DispatchResult:
    """What one handler call produced.

    Attributes:
        agent: The agent that handled the message.
        message: The decoded incoming message.
        state: The agent's state after the call.
        commit: What to store atomically (not stored yet); its `outgoing` are the emitted envelopes in emission
            order, publishes not yet fanned out.
        replayed_steps: How many checkpointed steps were replayed from the journal instead of called.
    """

    agent: str
    message: Message
    state: AgentState
    commit: Commit
    replayed_steps: int = 0

    @property
    def outgoing(self) -> tuple[Envelope, ...]:
        """The emitted envelopes (the commit's outbox)."""
        return self.commit.outgoing


class Dispatcher:
    """Runs one targeted envelope through its agent.

    Its only I/O is through the ports it is given: it loads state, reads the transcript and journals steps; it
    never commits and never sends. It returns the `Commit` so the host stores it and then sends the outgoing
    envelopes (the outbox rule).
    """

    def __init__(
        self,
        router: Router,
        store: StateStore,
        *,
        journal: StepJournal | None = None,
        transcript: TranscriptLog | None = None,
        attachments: AttachmentLog | None = None,
        clock: Clock | None = None,
    ) -> None:
        """Wire the ports; `journal`, `transcript` and `attachments` default to `store`.

        The store must then implement the first two; without an attachment log, a message that refers to an
        attachment cannot be handled (`MissingReferenceError`).

        Raises:
            TypeError: `store` does not implement a port that was not given separately.
        """
        self.router = router
        self.store = store
        self.journal: StepJournal = _port(journal, store, StepJournal)
        self.transcript: TranscriptLog = _port(transcript, store, TranscriptLog)
        self.attachments: AttachmentLog | None = attachments or (store if isinstance(store, AttachmentLog) else None)
        self.clock: Clock = clock or SystemClock()

    @classmethod
    def for_agents(cls, agents: Iterable[Agent[Any]], store: StateStore, *, clock: Clock | None = None) -> Dispatcher:
        """Build a dispatcher with its router from a list of agents; `store` implements every port."""
        return cls(Router(agents), store, clock=clock)

    async def dispatch(self, envelope: Envelope, *, cancellation: CancellationToken | None = None) -> DispatchResult:
        """Decode one envelope addressed to one agent and handle it.

        Raises:
            UnroutableMessageError: No target, an unknown target, or a target that does not take this type.
            BadMessageError: Any other decoding failure (unknown type, version, invalid payload).
            Exception: Whatever the handler raised; nothing is committed or emitted then (journaled steps stay).
        """
        return await self.dispatch_decoded(envelope, self.router.decode(envelope), cancellation=cancellation)

    async def dispatch_decoded(
        self, envelope: Envelope, message: Message, *, cancellation: CancellationToken | None = None
    ) -> DispatchResult:
        """Handle an envelope whose message the host decoded already (`Router.decode`), so it is decoded once.

        Raises:
            UnroutableMessageError: The envelope has no target or an unknown one.
            Exception: Whatever the handler raised; nothing is committed or emitted then (journaled steps stay).
        """
        if envelope.target is None:
            raise UnroutableMessageError(f"{envelope.type} message {envelope.message_id} has no target agent")
        agent = self.router.agent(envelope.target)
        # The handler sees the texts a message only names (read through the ports: the hop's snapshot when hosted).
        message = await references.resolve(
            message, envelope.run_id, transcript=self.transcript, attachments=self.attachments
        )
        stored = await self.store.load(agent.name, envelope.run_id)
        state_type = agent.state_type
        state = state_type() if stored is None else state_type.restore(stored.data, stored.schema_version)
        ctx: AgentContext[Any] = AgentContext(
            agent_name=agent.name,
            envelope=envelope,
            state=state,
            clock=self.clock,
            cancellation=cancellation or CancellationToken(),
            journal=self.journal,
            transcript_log=self.transcript,
        )
        with current_telemetry().invoke_agent(agent=agent.name, run_id=envelope.run_id) as span:
            await agent.handle(message, ctx)
            if ctx.steps.replayed:
                # Replayed steps make no chat/execute_tool span (nothing was called); the count says they happened.
                span.set("switchboard.replayed_steps", ctx.steps.replayed)
            traceparent = span.traceparent or envelope.traceparent
        # What goes on the wire leaves its large parts (answers) behind as attachments of this commit.
        emissions, attachments = references.detach(ctx.outbox, agent=agent.name, message_id=envelope.message_id)
        commit = Commit(
            agent=agent.name,
            run_id=envelope.run_id,
            message_id=envelope.message_id,
            schema_version=state_type.state_version,
            state=state.model_dump(mode="json"),
            expected_etag=stored.etag if stored else None,
            outgoing=tuple(self._envelope(envelope, agent.name, i, e, traceparent) for i, e in enumerate(emissions)),
            transcript=tuple(TranscriptRecord(index, entry) for index, entry in ctx.transcript.pending),
            attachments=attachments,
        )
        return DispatchResult(
            agent=agent.name, message=message, state=state, commit=commit, replayed_steps=ctx.steps.replayed
        )

    def _envelope(
        self, incoming: Envelope, source: str, index: int, emission: Emission, traceparent: str | None
    ) -> Envelope:
        return Envelope.wrap(
            emission.message,
            run_id=incoming.run_id,
            message_id=str(uuid.uuid5(_OUTGOING_IDS, f"{incoming.message_id}/{source}/{index}")),
            correlation_id=incoming.correlation_id,
            causation_id=incoming.message_id,
            source=source,
            target=emission.to,
            created_at=self.clock.now(),
            traceparent=traceparent,
        )


def _port(given: Any, store: StateStore, port: type[Any]) -> Any:
    if given is not None:
        return given
    if not isinstance(store, port):
        raise TypeError(f"{type(store).__name__} does not implement {port.__name__}: pass one explicitly")
    return store
