"""Run events are best-effort once a hop is settled, and a committed outbox is re-sent before the status is read."""

from __future__ import annotations

import json

from switchboard.hosting.best_effort_events import LOST
from switchboard.hosting.processor import MessageProcessor
from switchboard.hosting.settlement import IncomingMessage, Outcome, SettlementKind
from switchboard.messages import Envelope
from switchboard.testing import InMemoryRunEvents
from tests.support.hosting_agents import Job
from tests.unit.switchboard.hosting.test_processor import RUN, build, incoming, job, pump


class Crash(BaseException):
    """The process dies: nothing after it runs, nothing is settled (a BaseException, as SystemExit is)."""


class EventsDown(InMemoryRunEvents):
    """Service Bus takes agent messages but not run events (the topic is full, busy or missing)."""

    async def publish_event(self, run_id: str, status: str, *, event_id: str | None = None) -> None:
        raise RuntimeError("run-events refused the message")


class DiesOnStatus(InMemoryRunEvents):
    """Kills the process the moment it is about to announce `status` (after the commit, before the event)."""

    def __init__(self, status: str) -> None:
        super().__init__()
        self.status = status

    async def publish_event(self, run_id: str, status: str, *, event_id: str | None = None) -> None:
        if status == self.status:
            raise Crash
        await super().publish_event(run_id, status, event_id=event_id)


def _swap_bus(processor: MessageProcessor, bus: InMemoryRunEvents, old: InMemoryRunEvents) -> None:
    bus.router = old.router
    processor.publisher = bus


async def test_failed_events_never_abandon_a_hop_and_the_run_completes() -> None:
    processor, store, bus, _ = build()
    failing = EventsDown()
    _swap_bus(processor, failing, bus)
    before = LOST.count
    task = IncomingMessage(body=json.dumps({"task": "write a haiku"}).encode(), message_id=RUN)
    assert (await processor.process_task(task)).outcome == Outcome.STARTED
    settlements = await pump(processor, failing)
    assert settlements
    assert {s.kind for s in settlements} == {SettlementKind.COMPLETE}
    assert {s.outcome for s in settlements} == {Outcome.HANDLED}
    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "completed"
    assert LOST.count == before + 3  # queued, running, completed: each logged and counted, none retried


async def test_a_crash_between_the_final_commit_and_its_flush_announces_completed_on_redelivery() -> None:
    processor, store, bus, _ = build()
    task = IncomingMessage(body=json.dumps({"task": "write a haiku"}).encode(), message_id=RUN)
    await processor.process_task(task)
    dying = DiesOnStatus("completed")
    _swap_bus(processor, dying, bus)
    dying.sent = bus.take()
    final: Envelope | None = None
    for _ in range(20):
        batch = dying.take()
        if not batch:
            break
        for envelope in batch:
            assert envelope.target is not None
            try:
                await processor.process(envelope.target, incoming(envelope))
            except Crash:
                final = envelope
    assert final is not None, "no hop announced completed"
    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "completed"  # committed with the hop: the run has ended
    assert "completed" not in dying.statuses
    # The host comes back; Service Bus redelivers the message whose hop was committed but not flushed.
    _swap_bus(processor, bus, dying)
    assert final.target is not None
    again = await processor.process(final.target, incoming(final, delivery_count=2))
    assert again.kind is SettlementKind.COMPLETE
    assert again.outcome == Outcome.RESENT
    assert bus.statuses[-1] == "completed"
    assert bus.events[-1].event_id == f"{RUN}/{final.message_id}/completed"


async def test_a_message_of_an_ended_run_without_an_outbox_still_completes_without_work() -> None:
    processor, store, bus, worker = build()
    await store.create_run(RUN, task="t", team="team")
    await store.request_cancel(RUN)
    settlement = await processor.process("worker", incoming(job()))
    assert settlement.outcome == Outcome.RUN_ENDED
    assert worker.effects == []
    assert bus.take() == []


async def test_a_message_with_a_bad_run_id_is_dead_lettered_with_the_rule() -> None:
    processor, store, _bus, worker = build()
    bad = Envelope.wrap(Job(kind="ok", n=1), run_id="run/with/slashes", source="client", target="worker")
    settlement = await processor.process("worker", IncomingMessage(body=bad.to_json(), message_id=bad.message_id))
    assert settlement.kind is SettlementKind.DEAD_LETTER
    assert settlement.reason == "InvalidRunIdError"
    assert "A-Z a-z 0-9" in (settlement.description or "")
    assert store.snapshots == 0
    assert worker.effects == []
