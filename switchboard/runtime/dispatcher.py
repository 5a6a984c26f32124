"""`Dispatcher`: the pure core every host reuses: envelope in, state loaded, handler run, state saved, out."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from switchboard.agent import Agent, AgentContext, CancellationToken, Clock, Emission, SystemClock
from switchboard.agent.state import AgentState
from switchboard.errors import UnroutableMessageError
from switchboard.messages import Envelope, Message
from switchboard.runtime.protocols import StateStore
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
        outgoing: The emitted envelopes, in emission order; a publish is not yet fanned out.
        state: The agent's state after the call.
        etag: The etag of the saved state.
    """

    agent: str
    message: Message
    outgoing: tuple[Envelope, ...]
    state: AgentState
    etag: str


class Dispatcher:
    """Runs one targeted envelope through its agent.

    It does no I/O of its own beyond the state store it is given, and never sends: it returns the outgoing
    envelopes so the host can send them after the state is safely stored (the outbox rule).
    """

    def __init__(self, router: Router, store: StateStore, *, clock: Clock | None = None) -> None:
        self.router = router
        self.store = store
        self.clock: Clock = clock or SystemClock()

    @classmethod
    def for_agents(cls, agents: Iterable[Agent[Any]], store: StateStore, *, clock: Clock | None = None) -> Dispatcher:
        """Build a dispatcher with its router from a list of agents."""
        return cls(Router(agents), store, clock=clock)

    async def dispatch(self, envelope: Envelope, *, cancellation: CancellationToken | None = None) -> DispatchResult:
        """Handle one envelope addressed to one agent.

        Raises:
            UnroutableMessageError: No target, an unknown target, or a target that does not take this type.
            BadMessageError: Any other decoding failure (unknown type, version, invalid payload).
            StateConflictError: The state changed while the handler ran.
            Exception: Whatever the handler raised; nothing is saved or emitted then.
        """
        if envelope.target is None:
            raise UnroutableMessageError(f"{envelope.type} message {envelope.message_id} has no target agent")
        agent = self.router.agent(envelope.target)
        message = self.router.registry.decode(envelope)
        if not agent.accepts(message):
            raise UnroutableMessageError(f"agent {agent.name!r} does not handle {envelope.type} messages")
        stored = await self.store.load(agent.name, envelope.run_id)
        state_type = agent.state_type
        state = state_type() if stored is None else state_type.restore(stored.data, stored.schema_version)
        ctx: AgentContext[Any] = AgentContext(
            agent_name=agent.name,
            envelope=envelope,
            state=state,
            clock=self.clock,
            cancellation=cancellation or CancellationToken(),
        )
        await agent.handle(message, ctx)
        etag = await self.store.save(
            agent.name,
            envelope.run_id,
            schema_version=state_type.state_version,
            data=state.model_dump(mode="json"),
            expected_etag=stored.etag if stored else None,
        )
        outgoing = tuple(self._envelope(envelope, agent.name, i, e) for i, e in enumerate(ctx.outbox))
        return DispatchResult(agent=agent.name, message=message, outgoing=outgoing, state=state, etag=etag)

    def _envelope(self, incoming: Envelope, source: str, index: int, emission: Emission) -> Envelope:
        return Envelope.wrap(
            emission.message,
            run_id=incoming.run_id,
            message_id=str(uuid.uuid5(_OUTGOING_IDS, f"{incoming.message_id}/{source}/{index}")),
            correlation_id=incoming.correlation_id,
            causation_id=incoming.message_id,
            source=source,
            target=emission.to,
            created_at=self.clock.now(),
            traceparent=incoming.traceparent,
        )
