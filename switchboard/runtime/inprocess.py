"""`InProcessRuntime`: runs agents in one process, deterministically, like AutoGen's SingleThreadedAgentRuntime."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

from switchboard.agent import Agent, AgentState, CancellationToken, Clock
from switchboard.errors import DuplicateMessageError
from switchboard.instrumentation import Telemetry, current, use
from switchboard.messages import Envelope, Message
from switchboard.runtime.dispatcher import Dispatcher, DispatchResult
from switchboard.runtime.memory_store import InMemoryStateStore
from switchboard.runtime.protocols import Inbox, StateStore
from switchboard.runtime.router import Router

CLIENT = "client"

# Inbox marks the default store keeps: a redelivery in one process follows its delivery closely, and a small window
# keeps a long run from holding every envelope it ever sent.
_INBOX_WINDOW = 8


class InProcessRuntime:
    """Delivers messages one at a time in FIFO order through the same `Dispatcher` the cloud hosts use.

    Each delivery follows the hosted correctness model in memory: dispatch, store the `Commit`, then deliver its
    outgoing envelopes. Nothing is swallowed: when a handler raises, `run_until_idle` raises that error, and the
    failed envelope stays at the head of the queue so a caller may inspect or retry it (a retry replays the
    failed call's checkpointed steps). An envelope delivered again after it was handled is not handled twice:
    its stored outbox is delivered again instead, as a hosted redelivery does.

    Example:
        >>> runtime = InProcessRuntime([Planner("planner"), Writer("writer")])
        >>> runtime.publish(TaskSubmitted(task="..."), run_id="run-1")
        >>> await runtime.run_until_idle()

    Attributes:
        history: With `keep_history`, every envelope that entered the runtime, in order (publishes before fan-out).
        results: With `keep_history`, every completed handler call, in order.
        unrouted: Published envelopes no agent subscribed to (a run's final results usually end here).
        to_client: Envelopes agents sent to the client (`send(..., to=CLIENT)`, such as replies to a request).
    """

    def __init__(
        self,
        agents: Iterable[Agent[Any]],
        *,
        store: StateStore | None = None,
        clock: Clock | None = None,
        extra_messages: Iterable[type[Message]] = (),
        keep_history: bool = False,
        telemetry: Telemetry | None = None,
    ) -> None:
        """Build the runtime.

        Args:
            agents: The agents, each with a unique name.
            store: Where state, steps and the transcript live (it must implement every port); in memory by default.
            clock: The time source; the system clock by default.
            extra_messages: Message types that are emitted but handled by no agent here (to decode them).
            keep_history: Record every envelope and handler result (for tests and debugging; memory grows with
                every message, so long runs leave it off).
            telemetry: Where spans and metrics go; the process's installed telemetry by default.
        """
        self.keep_history = keep_history
        self.telemetry = telemetry
        self.router = Router(agents, extra_messages=extra_messages)
        self.store: StateStore = store or InMemoryStateStore(inbox_limit=_INBOX_WINDOW)
        self.dispatcher = Dispatcher(self.router, self.store, clock=clock)
        self._inbox: Inbox | None = self.store if isinstance(self.store, Inbox) else None
        self.cancellation = CancellationToken()
        self.history: list[Envelope] = []
        self.results: list[DispatchResult] = []
        self.unrouted: list[Envelope] = []
        self.to_client: list[Envelope] = []
        self._queue: deque[Envelope] = deque()

    def publish(self, message: Message, *, run_id: str, source: str = CLIENT) -> Envelope:
        """Queue `message` for every agent that handles its type; returns its envelope."""
        envelope = Envelope.wrap(message, run_id=run_id, source=source, created_at=self.dispatcher.clock.now())
        self.deliver(envelope)
        return envelope

    def send(self, message: Message, *, to: str, run_id: str, source: str = CLIENT) -> Envelope:
        """Queue `message` for the agent named `to`; returns its envelope."""
        envelope = Envelope.wrap(
            message, run_id=run_id, source=source, target=to, created_at=self.dispatcher.clock.now()
        )
        self.deliver(envelope)
        return envelope

    def deliver(self, envelope: Envelope) -> None:
        """Queue a ready-made envelope (for example one decoded from the wire)."""
        if self.keep_history:
            self.history.append(envelope)
        if envelope.target == CLIENT:
            self.to_client.append(envelope)
            return
        deliveries = self.router.expand(envelope)
        if not deliveries:
            self.unrouted.append(envelope)
        telemetry = self.telemetry or current()
        for delivery in deliveries:
            # The same spans as on Service Bus: each agent's in-memory queue is its queue; a client's send starts
            # the run's trace, and the context of the `send` span travels on the envelope to its `process` span.
            root = delivery.traceparent is None and telemetry.current_traceparent() is None
            queue = delivery.target or ""
            with telemetry.send(
                queue=queue,
                run_id=delivery.run_id,
                agent=delivery.source,
                message_ids=[delivery.message_id],
                new_trace=root,
            ) as span:
                if span.traceparent is not None:
                    delivery = delivery.model_copy(update={"traceparent": span.traceparent})
            self._queue.append(delivery)

    async def publish_envelopes(self, envelopes: Sequence[Envelope]) -> None:
        """The `Publisher` port: queue emitted envelopes."""
        for envelope in envelopes:
            self.deliver(envelope)

    @property
    def pending(self) -> int:
        """How many deliveries wait in the queue."""
        return len(self._queue)

    async def step(self) -> DispatchResult | None:
        """Deliver the next queued envelope that was not handled yet; None when the queue is empty."""
        with use(self.telemetry) as telemetry:
            while self._queue:
                envelope = self._queue[0]
                if await self._resend_if_handled(envelope):
                    continue
                with telemetry.process(
                    queue=envelope.target or "",
                    agent=envelope.target or "",
                    run_id=envelope.run_id,
                    message_id=envelope.message_id,
                    delivery_count=1,
                    traceparent=envelope.traceparent,
                ) as span:
                    result = await self.dispatcher.dispatch(envelope, cancellation=self.cancellation)
                    try:
                        await self.store.commit(result.commit)
                    except DuplicateMessageError:
                        # Handled by someone else meanwhile: its commit stands, and so does its outbox.
                        span.settled("complete", "duplicate")
                        if not await self._resend_if_handled(envelope):
                            self._queue.popleft()
                        continue
                    self._queue.popleft()
                    if self.keep_history:
                        self.results.append(result)
                    await self.publish_envelopes(result.outgoing)
                    span.settled("complete", "handled")
                return result
        return None

    async def _resend_if_handled(self, envelope: Envelope) -> bool:
        """A redelivered, already handled envelope: drop it and deliver its stored outbox again (same ids)."""
        if self._inbox is None or envelope.target is None:
            return False
        stored = await self._inbox.outbox(envelope.target, envelope.run_id, envelope.message_id)
        if stored is None:
            return False
        self._queue.popleft()
        await self.publish_envelopes(stored)
        return True

    async def run_until_idle(self, *, max_messages: int | None = None) -> int:
        """Deliver messages until none are left (or `max_messages` were delivered).

        Returns:
            How many messages were delivered.

        Raises:
            Exception: The first error a handler (or decoding) raised, unchanged.
        """
        delivered = 0
        while self._queue and (max_messages is None or delivered < max_messages):
            await self.step()
            delivered += 1
        return delivered

    def drop_head(self) -> Envelope:
        """Remove and return the envelope at the head of the queue (after inspecting a failure)."""
        return self._queue.popleft()

    async def state_of(self, agent: str, run_id: str) -> AgentState | None:
        """The current state of `agent` in `run_id`, or None when it has none yet."""
        stored = await self.store.load(agent, run_id)
        if stored is None:
            return None
        return self.router.agent(agent).state_type.restore(stored.data, stored.schema_version)
