"""`MessageProcessor`: the correctness model of docs/hosting.md for one Service Bus message, free of any SDK.

A host turns a received message into an `IncomingMessage`, calls `process` (agent queues) or `process_task` (the
`tasks` queue), and settles the message as the returned `Settlement` says. Everything else goes through the ports
of `switchboard.hosting.ports`, so the same code runs on Cosmos and Service Bus in Azure and on the in-memory
ports in unit tests. A hop is one way: the message is decoded once, here, and the decoded message goes on to the
dispatcher.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence

from switchboard.agent import CancellationToken, Clock, SystemClock
from switchboard.errors import (
    BadMessageError,
    CancelledError,
    Disposition,
    DuplicateMessageError,
    TransientError,
    UnroutableMessageError,
    disposition_for,
)
from switchboard.hosting.backoff import RETRY_OF
from switchboard.hosting.best_effort_events import announce
from switchboard.hosting.cancel_watch import DEFAULT_POLL_SECONDS, watch_cancellation
from switchboard.hosting.entity_names import INGRESS_FUNCTION, TASKS_QUEUE
from switchboard.hosting.ingress_rules import check_run_id, preview
from switchboard.hosting.input_flow import input_events, input_patch, merge_patch, resumes, timeouts
from switchboard.hosting.ports import REPLAY_OF, HopStore, RunDocuments, RunEndedError, RunEvents
from switchboard.hosting.preloaded import PreloadedAttachments, PreloadedJournal, PreloadedState, PreloadedTranscript
from switchboard.hosting.run_status import TERMINAL_STATUSES, RunStatus, run_patch, status_changes
from switchboard.hosting.settlement import IncomingMessage, Outcome, Settlement, SettlementKind
from switchboard.hosting.task_request import parse_task
from switchboard.hosting.transient_retry import RetryOrigin, TransientRetries
from switchboard.hosting.undeliverable import fail_run_of_dead_letter, last_delivery, run_of
from switchboard.hosting.verdicts import bounded, dead_letter, error_type
from switchboard.instrumentation import current as current_telemetry
from switchboard.instrumentation import message_traceparent
from switchboard.messages import Envelope, Message
from switchboard.messages.references import references_of
from switchboard.protocol.messages import TaskSubmitted
from switchboard.runtime.dispatcher import Dispatcher
from switchboard.runtime.inprocess import CLIENT
from switchboard.runtime.protocols import AttachmentLog, StepJournal, TranscriptLog
from switchboard.runtime.router import Router

# TaskSubmitted ids derive from the run id, so a re-posted task re-sends the same message (dropped as duplicate).
_TASK_IDS = uuid.UUID("0b8f7a52-3c1e-4d7b-9f55-2a6e1d4c9b30")


class MessageProcessor:
    """Handles agent messages and ingress tasks exactly once in effect, over at-least-once delivery."""

    def __init__(
        self,
        *,
        router: Router,
        store: HopStore,
        journal: StepJournal,
        transcript: TranscriptLog,
        runs: RunDocuments,
        publisher: RunEvents,
        teams: Mapping[str, str],
        default_team: str | None = None,
        clock: Clock | None = None,
        cancel_poll_seconds: float = DEFAULT_POLL_SECONDS,
        retries: TransientRetries | None = None,
        max_delivery_count: int | None = None,
    ) -> None:
        """Wire the ports.

        Args:
            router: The agents of this app and their message types.
            store: Agent state, the atomic commit, and the outbox a handled message left.
            journal: The step journal.
            transcript: The transcript log.
            runs: The run documents.
            publisher: Sends envelopes and run events.
            teams: Team name → the agent (manager) that takes its `TaskSubmitted`.
            default_team: The team of a task that names none; defaults to the first of `teams`.
            clock: The time source.
            cancel_poll_seconds: How often a running handler's run document is read for a cancel.
            retries: Backs off a transiently failed message (a scheduled copy, within a retry budget per run);
                without it such a message is abandoned and Service Bus redelivers it at once.
            max_delivery_count: The queues' `maxDeliveryCount`: the last delivery dead-letters instead of abandoning
                and fails the run (`switchboard.hosting.undeliverable`); None leaves that to Service Bus.
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
        self.retries = retries
        self.max_delivery_count = max_delivery_count
        self._attachments = store if isinstance(store, AttachmentLog) else None

    async def process(self, agent: str, incoming: IncomingMessage) -> Settlement:
        """Handle one message from `agent`'s queue (the steps of docs/hosting.md's "Processing one message")."""
        envelope: Envelope | None = None
        message: Message | None = None
        bad: BadMessageError | None = None
        try:
            # The envelope is kept even when its message does not decode: it names the run a dead letter fails.
            envelope = Envelope.from_json(incoming.body)
            envelope, message = self._decode(agent, envelope)
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
            if envelope is not None and message is not None:
                settlement = await self._settle(agent, envelope, message, incoming)
            else:
                assert bad is not None
                settlement = dead_letter(bad)
            run_id = run_of(incoming, envelope.run_id if envelope else None)
            settlement = await self._undeliverable(incoming, settlement, run_id)
            span.settled(settlement.kind.value, settlement.outcome, error_type(settlement))
        return settlement

    async def _settle(self, agent: str, envelope: Envelope, message: Message, incoming: IncomingMessage) -> Settlement:
        try:
            return await self._handle(agent, envelope, message)
        except Exception as error:
            origin = RetryOrigin(agent, incoming, subject=envelope.type, correlation_id=envelope.correlation_id)
            return await self._on_error(envelope.run_id, envelope.message_id, error, origin)

    async def process_task(self, incoming: IncomingMessage) -> Settlement:
        """Start a run from a `tasks` message: `{"task": str, "team"?: str}`, run id = MessageId.

        A task whose run already started (a re-post after the duplicate-detection window) starts nothing.
        """
        properties = incoming.application_properties
        # A replayed dead letter names its run in `replay_of`, a retry copy in `retry_of` (switchboard.hosting.backoff).
        run_id = properties.get(REPLAY_OF) or properties.get(RETRY_OF) or incoming.message_id
        with current_telemetry().process(
            queue=TASKS_QUEUE,
            agent=INGRESS_FUNCTION,
            run_id=run_id,
            message_id=incoming.message_id,
            delivery_count=incoming.delivery_count,
            traceparent=message_traceparent(incoming.application_properties),
        ) as span:
            settlement = await self._start(run_id, incoming)
            settlement = await self._undeliverable(incoming, settlement, run_of(incoming, run_id))
            span.settled(settlement.kind.value, settlement.outcome, error_type(settlement))
        return settlement

    async def _start(self, run_id: str, incoming: IncomingMessage) -> Settlement:
        try:
            request = parse_task(incoming.body, teams=self.teams, default_team=self.default_team, run_id=run_id)
        except BadMessageError as error:
            return dead_letter(error)
        try:
            run = await self.runs.read_run(run_id)
            if run is None:
                await self.runs.create_run(run_id, task=request.task, team=request.team)
            elif run.get("status") != RunStatus.QUEUED:
                return Settlement(SettlementKind.COMPLETE, outcome=Outcome.ALREADY_STARTED)
            start = Envelope.wrap(
                TaskSubmitted(task=request.task),
                run_id=run_id,
                message_id=str(uuid.uuid5(_TASK_IDS, run_id)),
                source=CLIENT,
                target=self.teams[request.team],
                created_at=self.clock.now(),
            )
            await self.publisher.publish([start])
            await announce(self.publisher, run_id, RunStatus.QUEUED, event_id=f"{run_id}/{RunStatus.QUEUED}")
            return Settlement(SettlementKind.COMPLETE, outcome=Outcome.STARTED)
        except Exception as error:
            return await self._on_error(run_id, incoming.message_id, error, RetryOrigin(TASKS_QUEUE, incoming))

    async def _undeliverable(self, incoming: IncomingMessage, settlement: Settlement, run_id: str | None) -> Settlement:
        # A message that will never be processed ends its run, so nobody waits on a run nothing will move.
        settlement = last_delivery(settlement, incoming, self.max_delivery_count)
        return await fail_run_of_dead_letter(settlement, incoming, run_id, runs=self.runs, events=self.publisher)

    def _decode(self, agent: str, envelope: Envelope) -> tuple[Envelope, Message]:
        if envelope.target is None:
            envelope = envelope.retarget(agent)
        elif envelope.target != agent:
            raise UnroutableMessageError(
                f"{preview(envelope.type)} message for {preview(envelope.target)} arrived at {agent!r}"
            )
        check_run_id(envelope.run_id)  # the stores' id rules (ingress_rules): bad input, dead-lettered with why
        # Decoding here, before any I/O, dead-letters bad input without touching the store; the dispatcher then
        # takes the decoded message as it is.
        return envelope, self.router.decode(envelope)

    async def _handle(self, agent: str, envelope: Envelope, message: Message) -> Settlement:
        run_id, message_id = envelope.run_id, envelope.message_id
        # One read serves every delivery: run status, state, and this message's outbox and steps if it left any.
        # So the delivery count (informational: see switchboard.hosting.settlement) never decides whether to look.
        # ... and what the message only names (transcript entries, an answer item), so resolving it costs nothing.
        snapshot = await self.runs.snapshot(run_id, agent, message_id, references=references_of(message))
        # A committed outbox is re-sent before the status is looked at: the final hop's commit ends the run, so a
        # crash between that commit and its flush would otherwise never announce the final status.
        if snapshot.outbox is not None:
            await self._flush(envelope, snapshot.outbox)
            return Settlement(SettlementKind.COMPLETE, outcome=Outcome.RESENT)
        if snapshot.status in TERMINAL_STATUSES:
            return Settlement(SettlementKind.COMPLETE, outcome=Outcome.RUN_ENDED)
        if snapshot.run is None:
            # A run started without the ingress (a message sent straight to an agent): give it a document.
            await self.runs.create_run(run_id, task="", team=None)
        # With back-off on, a step the model answered is written even through a throttled store (no second call).
        journal = self.retries.patient(self.journal) if self.retries else self.journal
        dispatcher = Dispatcher(
            self.router,
            PreloadedState(self.store, agent=agent, run_id=run_id, state=snapshot.state),
            journal=PreloadedJournal(journal, steps=snapshot.steps),
            transcript=PreloadedTranscript(self.transcript, entries=snapshot.entries),
            attachments=PreloadedAttachments(self._attachments, attachments=snapshot.attachments),
            clock=self.clock,
        )
        token = CancellationToken()
        try:
            async with watch_cancellation(self.runs, run_id, token, interval=self.cancel_poll_seconds):
                result = await dispatcher.dispatch_decoded(envelope, message, cancellation=token)
        except CancelledError:
            if not token.is_cancelled:
                raise
            return Settlement(SettlementKind.COMPLETE, outcome=Outcome.CANCELLED)
        except DuplicateMessageError:
            # Another instance committed this message while this one ran (a journal saw its inbox mark).
            return await self._resend_committed(agent, envelope)
        patch = run_patch(envelope, result.commit.outgoing, status=snapshot.status, now=self.clock.now())
        patch = merge_patch(patch, input_patch(envelope, result.commit.outgoing, snapshot.run))
        commit = dataclasses.replace(result.commit, run_patch=patch)
        try:
            await self.store.commit(commit)
        except DuplicateMessageError:
            return await self._resend_committed(agent, envelope)
        except RunEndedError:
            return Settlement(SettlementKind.COMPLETE, outcome=Outcome.RUN_ENDED)
        await self._flush(envelope, commit.outgoing)
        return Settlement(SettlementKind.COMPLETE, outcome=Outcome.HANDLED)

    async def _resend_committed(self, agent: str, envelope: Envelope) -> Settlement:
        """The copy that lost the race: re-send the winner's stored outbox, never this copy's own results."""
        stored = await self.store.outbox(agent, envelope.run_id, envelope.message_id)
        if stored is None:
            raise DuplicateMessageError(f"message {envelope.message_id} has an inbox mark but no outbox")
        await self._flush(envelope, stored)
        return Settlement(SettlementKind.COMPLETE, outcome=Outcome.DUPLICATE)

    async def _flush(self, incoming: Envelope, outgoing: Sequence[Envelope]) -> None:
        """Send the outbox, then announce the status changes it implies (both with deterministic ids).

        The announcements are best-effort (`best_effort_events`): the hop is done once its outbox is sent.
        """
        await self.publisher.publish([envelope for envelope in outgoing if envelope.target != CLIENT])
        for timeout, at in timeouts(outgoing):
            await self.publisher.schedule([timeout], at)
        statuses = [*status_changes(incoming, outgoing), *input_events(incoming, outgoing)]
        # After an answer the run is `running` only if no other question is open: an atomic conditional patch.
        if resumes(incoming, outgoing) and await self.runs.resume_if_answered(incoming.run_id):
            statuses.append(RunStatus.RUNNING)
        for status in statuses:
            await announce(
                self.publisher, incoming.run_id, status, event_id=f"{incoming.run_id}/{incoming.message_id}/{status}"
            )

    async def _on_error(self, run_id: str, message_id: str, error: Exception, origin: RetryOrigin) -> Settlement:
        disposition = disposition_for(error)
        reason = bounded(getattr(error, "reason", None) or str(error))
        if disposition is Disposition.DEAD_LETTER:
            return Settlement(SettlementKind.DEAD_LETTER, type(error).__name__, reason, outcome=Outcome.BAD_INPUT)
        if disposition is Disposition.FAIL_RUN:
            return await self._fail_run(run_id, message_id, error, reason)
        if self.retries is not None and isinstance(error, TransientError):
            return await self.retries.settle(origin, error, lambda why: self._fail_run(run_id, message_id, error, why))
        return Settlement(SettlementKind.ABANDON, type(error).__name__, reason, outcome=Outcome.RETRY)

    async def _fail_run(self, run_id: str, message_id: str, error: Exception, reason: str) -> Settlement:
        reason = bounded(reason)
        try:
            if await self.runs.fail_run(run_id, f"{type(error).__name__}: {reason}"):
                failed = RunStatus.FAILED
                await announce(self.publisher, run_id, failed, event_id=f"{run_id}/{message_id}/{failed}")
        except Exception as failure:
            return Settlement(SettlementKind.ABANDON, type(failure).__name__, str(failure), outcome=Outcome.RETRY)
        return Settlement(SettlementKind.COMPLETE, type(error).__name__, reason, outcome=Outcome.RUN_FAILED)
