"""`MessageProcessor`: the correctness model of docs/hosting.md for one Service Bus message, free of any SDK.

A host turns a received message into an `IncomingMessage`, calls `process` (agent queues) or `process_task` (the
`tasks` queue), and settles the message as the returned `Settlement` says. Everything else goes through ports,
so the same code runs on Cosmos and Service Bus in Azure and on the in-memory ports in unit tests.
"""

from __future__ import annotations

import dataclasses
import enum
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from switchboard.agent import CancellationToken, Clock, SystemClock
from switchboard.errors import (
    BadMessageError,
    CancelledError,
    Disposition,
    DuplicateMessageError,
    UnroutableMessageError,
    disposition_for,
)
from switchboard.hosting.cancel_watch import DEFAULT_POLL_SECONDS, watch_cancellation
from switchboard.hosting.input_flow import Scheduler, input_events, input_patch, merge_patch, timeouts
from switchboard.hosting.ports import REPLAY_OF, TERMINAL_STATUSES, RunDocuments, RunEndedError, RunEvents
from switchboard.hosting.preloaded import PreloadedJournal, PreloadedState
from switchboard.hosting.run_status import run_patch, status_changes
from switchboard.hosting.task_request import parse_task
from switchboard.instrumentation import current as current_telemetry
from switchboard.instrumentation import message_traceparent
from switchboard.messages import Envelope
from switchboard.protocol.messages import TaskSubmitted
from switchboard.runtime.dispatcher import Dispatcher
from switchboard.runtime.inprocess import CLIENT
from switchboard.runtime.protocols import Inbox, StateStore, StepJournal, TranscriptLog
from switchboard.runtime.router import Router

# TaskSubmitted ids derive from the run id, so a re-posted task re-sends the same message (dropped as duplicate).
_TASK_IDS = uuid.UUID("0b8f7a52-3c1e-4d7b-9f55-2a6e1d4c9b30")
_MAX_REASON = 1024
TASKS_QUEUE = "tasks"
INGRESS = "ingress"


class SettlementKind(enum.Enum):
    """How a host settles a message."""

    COMPLETE = "complete"
    ABANDON = "abandon"
    DEAD_LETTER = "dead_letter"


@dataclass(frozen=True)
class Settlement:
    """The processor's verdict on one message.

    Attributes:
        kind: Complete, abandon (Service Bus redelivers) or dead-letter.
        reason: The dead-letter reason (the error class name), or the error class of an abandon.
        description: The dead-letter description (the error's reason).
        outcome: What happened, for logs and tests: `handled`, `resent`, `duplicate`, `run-ended`, `run-failed`,
            `started`, `already-started`, `bad-input`, `retry`, `cancelled` (the run was cancelled while the
            handler worked).
    """

    kind: SettlementKind
    reason: str | None = None
    description: str | None = None
    outcome: str = "handled"


@dataclass(frozen=True)
class IncomingMessage:
    """A received Service Bus message as the processor sees it (no SDK type).

    Attributes:
        body: The body bytes.
        message_id: The Service Bus MessageId.
        delivery_count: 1 on the first delivery (the Python SDK's `delivery_count` is the AMQP header's count
            of earlier attempts, 0 on the first: add 1). Informational: redeliveries are recognised from the store.
        session_id: The session (the run id on agent queues).
        application_properties: The application properties as text.
    """

    body: bytes
    message_id: str
    delivery_count: int = 1
    session_id: str | None = None
    application_properties: Mapping[str, str] = field(default_factory=dict)


class MessageProcessor:
    """Handles agent messages and ingress tasks exactly once in effect, over at-least-once delivery."""

    def __init__(
        self,
        *,
        router: Router,
        store: StateStore,
        journal: StepJournal,
        transcript: TranscriptLog,
        runs: RunDocuments,
        publisher: RunEvents,
        teams: Mapping[str, str],
        inbox: Inbox | None = None,
        default_team: str | None = None,
        clock: Clock | None = None,
        cancel_poll_seconds: float = DEFAULT_POLL_SECONDS,
    ) -> None:
        """Wire the ports.

        Args:
            router: The agents of this app and their message types.
            store: Agent state and the atomic commit.
            journal: The step journal.
            transcript: The transcript log.
            runs: The run documents.
            publisher: Sends envelopes and run events.
            teams: Team name → the agent (manager) that takes its `TaskSubmitted`.
            inbox: Where a handled message's outbox is read back; defaults to `store`.
            default_team: The team of a task that names none; defaults to the first of `teams`.
            clock: The time source.
            cancel_poll_seconds: How often a running handler's run document is read for a cancel.
        """
        if not teams:
            raise ValueError("a processor needs at least one team")
        self.router = router
        self.store = store
        self.journal = journal
        self.transcript = transcript
        self.runs = runs
        self.publisher = publisher
        self.teams = dict(teams)
        self.default_team = default_team or next(iter(self.teams))
        self.clock: Clock = clock or SystemClock()
        self.cancel_poll_seconds = cancel_poll_seconds
        if inbox is None and not isinstance(store, Inbox):
            raise TypeError(f"{type(store).__name__} does not implement Inbox: pass one explicitly")
        self.inbox: Inbox = inbox if inbox is not None else store  # type: ignore[assignment]

    async def process(self, agent: str, incoming: IncomingMessage) -> Settlement:
        """Handle one message from `agent`'s queue (the steps of docs/hosting.md's "Processing one message")."""
        envelope: Envelope | None = None
        bad: BadMessageError | None = None
        try:
            envelope = self._decode(agent, incoming)
        except BadMessageError as error:
            bad = error
        # The span continues the producer's trace: the message's traceparent, else the one in its envelope.
        traceparent = message_traceparent(incoming.application_properties) or (envelope and envelope.traceparent)
        with current_telemetry().process(
            queue=agent,
            agent=agent,
            run_id=envelope.run_id if envelope else incoming.session_id,
            message_id=incoming.message_id,
            delivery_count=incoming.delivery_count,
            traceparent=traceparent or None,
        ) as span:
            if envelope is not None:
                settlement = await self._settle(agent, envelope)
            else:
                assert bad is not None
                settlement = _dead_letter(bad)
            span.settled(settlement.kind.value, settlement.outcome, _error_type(settlement))
        return settlement

    async def _settle(self, agent: str, envelope: Envelope) -> Settlement:
        try:
            return await self._handle(agent, envelope)
        except Exception as error:
            return await self._on_error(envelope.run_id, envelope.message_id, error)

    async def process_task(self, incoming: IncomingMessage) -> Settlement:
        """Start a run from a `tasks` message: `{"task": str, "team"?: str}`, run id = MessageId.

        A task whose run already started (a re-post after the duplicate-detection window) starts nothing.
        """
        run_id = incoming.application_properties.get(REPLAY_OF) or incoming.message_id
        with current_telemetry().process(
            queue=TASKS_QUEUE,
            agent=INGRESS,
            run_id=run_id,
            message_id=incoming.message_id,
            delivery_count=incoming.delivery_count,
            traceparent=message_traceparent(incoming.application_properties),
        ) as span:
            settlement = await self._start(run_id, incoming)
            span.settled(settlement.kind.value, settlement.outcome, _error_type(settlement))
        return settlement

    async def _start(self, run_id: str, incoming: IncomingMessage) -> Settlement:
        try:
            request = parse_task(incoming.body, teams=self.teams, default_team=self.default_team, run_id=run_id)
        except BadMessageError as error:
            return _dead_letter(error)
        try:
            run = await self.runs.read_run(run_id)
            if run is None:
                await self.runs.create_run(run_id, task=request.task, team=request.team)
            elif run.get("status") != "queued":
                return Settlement(SettlementKind.COMPLETE, outcome="already-started")
            start = Envelope.wrap(
                TaskSubmitted(task=request.task),
                run_id=run_id,
                message_id=str(uuid.uuid5(_TASK_IDS, run_id)),
                source=CLIENT,
                target=self.teams[request.team],
                created_at=self.clock.now(),
            )
            await self.publisher.publish([start])
            await self.publisher.publish_event(run_id, "queued", event_id=f"{run_id}/queued")
            return Settlement(SettlementKind.COMPLETE, outcome="started")
        except Exception as error:
            return await self._on_error(run_id, incoming.message_id, error)

    def _decode(self, agent: str, incoming: IncomingMessage) -> Envelope:
        envelope = Envelope.from_json(incoming.body)
        if envelope.target is None:
            envelope = envelope.retarget(agent)
        elif envelope.target != agent:
            raise UnroutableMessageError(f"{envelope.type} message for {envelope.target!r} arrived at {agent!r}")
        # Decoding here, before any I/O, dead-letters bad input without touching the store.
        message = self.router.registry.decode(envelope)
        if not self.router.agent(agent).accepts(message):
            raise UnroutableMessageError(f"agent {agent!r} does not handle {envelope.type} messages")
        return envelope

    async def _handle(self, agent: str, envelope: Envelope) -> Settlement:
        run_id, message_id = envelope.run_id, envelope.message_id
        # One read serves every delivery: run status, state, and this message's outbox and steps if it left any.
        # So the delivery count (whose base differs between SDKs) never decides whether to look.
        snapshot = await self.runs.snapshot(run_id, agent, message_id)
        if snapshot.status in TERMINAL_STATUSES:
            return Settlement(SettlementKind.COMPLETE, outcome="run-ended")
        if snapshot.outbox is not None:
            await self._flush(envelope, snapshot.outbox)
            return Settlement(SettlementKind.COMPLETE, outcome="resent")
        if snapshot.run is None:
            # A run started without the ingress (a message sent straight to an agent): give it a document.
            await self.runs.create_run(run_id, task="", team=None)
        dispatcher = Dispatcher(
            self.router,
            PreloadedState(self.store, agent=agent, run_id=run_id, state=snapshot.state),
            journal=PreloadedJournal(self.journal, steps=snapshot.steps),
            transcript=self.transcript,
            clock=self.clock,
        )
        token = CancellationToken()
        try:
            async with watch_cancellation(self.runs, run_id, token, interval=self.cancel_poll_seconds):
                result = await dispatcher.dispatch(envelope, cancellation=token)
        except CancelledError:
            if not token.is_cancelled:
                raise
            return Settlement(SettlementKind.COMPLETE, outcome="cancelled")
        patch = run_patch(envelope, result.commit.outgoing, status=snapshot.status, now=self.clock.now())
        patch = merge_patch(patch, input_patch(envelope, result.commit.outgoing))
        commit = dataclasses.replace(result.commit, run_patch=patch)
        try:
            await self.store.commit(commit)
        except DuplicateMessageError:
            stored = await self.inbox.outbox(agent, run_id, message_id)
            if stored is None:
                raise
            await self._flush(envelope, stored)
            return Settlement(SettlementKind.COMPLETE, outcome="duplicate")
        except RunEndedError:
            return Settlement(SettlementKind.COMPLETE, outcome="run-ended")
        await self._flush(envelope, commit.outgoing)
        return Settlement(SettlementKind.COMPLETE, outcome="handled")

    async def _flush(self, incoming: Envelope, outgoing: Sequence[Envelope]) -> None:
        """Send the outbox, then announce the status changes it implies (both with deterministic ids)."""
        await self.publisher.publish([envelope for envelope in outgoing if envelope.target != CLIENT])
        due = timeouts(outgoing)
        if due:
            if not isinstance(self.publisher, Scheduler):
                raise TypeError(f"{type(self.publisher).__name__} cannot schedule the timeout of an input request")
            for timeout, at in due:
                await self.publisher.schedule([timeout], at)
        for status in [*status_changes(incoming, outgoing), *input_events(incoming, outgoing)]:
            await self.publisher.publish_event(
                incoming.run_id, status, event_id=f"{incoming.run_id}/{incoming.message_id}/{status}"
            )

    async def _on_error(self, run_id: str, message_id: str, error: Exception) -> Settlement:
        disposition = disposition_for(error)
        reason = _bounded(getattr(error, "reason", None) or str(error))
        if disposition is Disposition.DEAD_LETTER:
            return Settlement(SettlementKind.DEAD_LETTER, type(error).__name__, reason, outcome="bad-input")
        if disposition is Disposition.FAIL_RUN:
            try:
                if await self.runs.fail_run(run_id, f"{type(error).__name__}: {reason}"):
                    await self.publisher.publish_event(run_id, "failed", event_id=f"{run_id}/{message_id}/failed")
            except Exception as failure:
                return Settlement(SettlementKind.ABANDON, type(failure).__name__, str(failure), outcome="retry")
            return Settlement(SettlementKind.COMPLETE, type(error).__name__, reason, outcome="run-failed")
        return Settlement(SettlementKind.ABANDON, type(error).__name__, reason, outcome="retry")


def _error_type(settlement: Settlement) -> str | None:
    failed = settlement.kind is not SettlementKind.COMPLETE or settlement.outcome == "run-failed"
    return (settlement.reason or settlement.kind.value) if failed else None


def _dead_letter(error: BadMessageError) -> Settlement:
    return Settlement(SettlementKind.DEAD_LETTER, type(error).__name__, _bounded(error.reason), outcome="bad-input")


def _bounded(reason: str) -> str:
    # Dead-letter descriptions and stored errors travel in message properties and run documents: keep them short.
    return reason if len(reason) <= _MAX_REASON else reason[: _MAX_REASON - 1] + "…"
