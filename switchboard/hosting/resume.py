"""`switchboard runs resume`: re-drive a failed run from its last committed state, or say why that is not safe.

A run's committed state is its partition: each agent's state, and for every handled message its inbox mark and the
outbox it committed. The run's *frontier* is every envelope some committed outbox sent that its receiver never
handled (no inbox mark of the receiver for that message id): the message that was dead-lettered, failed the run,
arrived after it ended, or was lost. Resuming sets the run back to `running` and sends the frontier again; each
receiver then handles it as a first delivery, replaying any step it had journaled for it, so no finished model or
tool call is repeated and nothing already handled runs twice.

The copies keep their envelopes (so their message ids: inbox marks and step keys) and get a fresh Service Bus
MessageId (`<message id>/resume-<attempt>`), so duplicate detection does not drop them within its window; a later
`dlq replay` of the original dead letter then finds the inbox mark and only re-sends its outbox.

Refused, with the reason: a run that does not exist, has not failed (`completed`, `cancelled`: ended on purpose;
active ones are still moving, or the sweeper will fail them), whose team or a receiving agent is no longer
deployed, whose team manager has no committed state (nothing to resume from: submit the task again), or whose
frontier is empty (every message was handled: nothing would move it).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from switchboard.errors import SwitchboardError
from switchboard.hosting.ports import RunEvents
from switchboard.hosting.run_status import RunStatus
from switchboard.messages import Envelope
from switchboard.runtime.inprocess import CLIENT


class ResumeRefusedError(SwitchboardError):
    """The run cannot be resumed safely; the reason says why (HTTP 409)."""


class ResumeRunNotFoundError(SwitchboardError):
    """No run has this id (HTTP 404)."""


@dataclass(frozen=True)
class CommittedRun:
    """What a run's partition holds that resuming needs (one query).

    Attributes:
        run: The run document's fields, or None without one.
        agents_with_state: Agents with a committed state item.
        sent: Every envelope of every committed outbox, in no particular order.
        handled: (agent, message id) of every inbox mark.
    """

    run: Mapping[str, Any] | None
    agents_with_state: frozenset[str] = frozenset()
    sent: tuple[Envelope, ...] = ()
    handled: frozenset[tuple[str, str]] = frozenset()


class RunPartition(Protocol):
    """Reads a run's committed state and reopens it (`switchboard.state.CosmosRunPartition` is one)."""

    async def committed(self, run_id: str) -> CommittedRun:
        """The run document, state owners, outboxes and inbox marks of the run."""
        ...

    async def reopen(self, run_id: str) -> bool:
        """Set a `failed` run back to `running` (error cleared); False when it is not `failed` any more."""
        ...


@runtime_checkable
class Redriver(Protocol):
    """Sends envelopes again under fresh Service Bus MessageIds (`ServiceBusPublisher` is one)."""

    async def redrive(self, envelopes: Sequence[Envelope], *, attempt: str) -> None:
        """Send each (targeted) envelope to its agent's queue with MessageId `<message id>/resume-<attempt>`."""
        ...


class Subscribers(Protocol):
    """Who takes a published (untargeted) message type (`Router` is one)."""

    def subscribers(self, type_name: str) -> tuple[str, ...]:
        """The agents that handle `type_name`."""
        ...


@dataclass
class ResumeResult:
    """A resumed run.

    Attributes:
        run_id: The run.
        attempt: This resume's id (in the copies' MessageIds and the `running` event's id).
        resent: (agent, message id) of each envelope sent again.
    """

    run_id: str
    attempt: str
    resent: list[tuple[str, str]] = field(default_factory=list)


def frontier(committed: CommittedRun, routes: Subscribers) -> list[Envelope]:
    """The envelopes committed outboxes sent that their receivers never handled, publishes fanned out, deduplicated."""
    seen: set[tuple[str, str]] = set()
    pending: list[Envelope] = []
    for envelope in committed.sent:
        targets = (
            [envelope]
            if envelope.target is not None
            else [envelope.retarget(a) for a in routes.subscribers(envelope.type)]
        )
        for delivery in targets:
            key = (str(delivery.target), delivery.message_id)
            if delivery.target == CLIENT or key in committed.handled or key in seen:
                continue
            seen.add(key)
            pending.append(delivery)
    return sorted(pending, key=lambda envelope: envelope.created_at)


def plan(
    run_id: str, committed: CommittedRun, *, managers: Mapping[str, str], agents: Collection[str], routes: Subscribers
) -> list[Envelope]:
    """The envelopes to send again, or the reason resuming is not safe.

    Args:
        run_id: The run.
        committed: Its committed state.
        managers: Team name → its manager agent, of this deployment.
        agents: Every agent of this deployment.
        routes: Who takes published messages.

    Raises:
        ResumeRunNotFoundError: No such run.
        ResumeRefusedError: Resuming is not safe; the reason says why.
    """
    run = committed.run
    if run is None:
        raise ResumeRunNotFoundError(f"no run {run_id!r}")
    status = str(run.get("status"))
    if status != RunStatus.FAILED:
        why = "it ended on purpose" if status in (RunStatus.COMPLETED, RunStatus.CANCELLED) else "it has not failed"
        raise ResumeRefusedError(f"run {run_id} is {status}: only a failed run is resumed ({why})")
    team = str(run.get("team"))
    if team not in managers:
        raise ResumeRefusedError(f"run {run_id}: its team {team!r} is not in this deployment")
    if managers[team] not in committed.agents_with_state:
        raise ResumeRefusedError(
            f"run {run_id}: its team manager {managers[team]!r} has no committed state, so there is nothing to "
            "resume from (the run failed before its team started): submit the task again"
        )
    pending = frontier(committed, routes)
    if not pending:
        raise ResumeRefusedError(f"run {run_id}: every message it sent was handled, so nothing would move it again")
    missing = sorted({str(envelope.target) for envelope in pending} - set(agents))
    if missing:
        raise ResumeRefusedError(f"run {run_id}: its next message goes to {', '.join(missing)}, not in this deployment")
    return pending


async def resume_run(
    run_id: str,
    *,
    partition: RunPartition,
    sender: Redriver,
    events: RunEvents,
    managers: Mapping[str, str],
    agents: Collection[str],
    routes: Subscribers,
) -> ResumeResult:
    """Re-drive a failed run from its committed state (the module says what is refused).

    Raises:
        ResumeRunNotFoundError: No such run.
        ResumeRefusedError: Resuming is not safe, or the run changed while it was being resumed.
    """
    pending = plan(run_id, await partition.committed(run_id), managers=managers, agents=agents, routes=routes)
    if not await partition.reopen(run_id):
        raise ResumeRefusedError(f"run {run_id} changed while it was being resumed: look at it again")
    attempt = uuid.uuid4().hex[:12]
    await sender.redrive(pending, attempt=attempt)
    running = RunStatus.RUNNING
    await events.publish_event(run_id, running, event_id=f"{run_id}/resume-{attempt}/{running}")
    return ResumeResult(run_id, attempt, [(str(envelope.target), envelope.message_id) for envelope in pending])
