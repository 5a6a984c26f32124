"""MessageProcessor with back-off on the in-memory ports: a transient failure schedules a copy instead of abandoning.

The copies are delivered by hand, as Service Bus would at their scheduled time; the clock and the waits are fake, so
nothing here sleeps.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from switchboard.agent import ManualClock
from switchboard.errors import TransientError
from switchboard.hosting.backoff import RETRY_ATTEMPT, RETRY_OF, RETRY_SINCE, BackoffPolicy
from switchboard.hosting.memory import InMemoryHostStore
from switchboard.hosting.patient_journal import PatientJournal
from switchboard.hosting.processor import MessageProcessor
from switchboard.hosting.settlement import IncomingMessage, Outcome, SettlementKind
from switchboard.hosting.transient_retry import RetryCopy, TransientRetries
from switchboard.messages import Envelope
from switchboard.state.errors import StoreUnavailableError
from switchboard.testing import InMemoryRunEvents
from switchboard.transport.errors import BusBusyError
from tests.support.hosting_agents import TEAM, Job, JobDone, Worker, hosting_router

RUN = "run-b"
START = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)
POLICY = BackoffPolicy(base_seconds=2.0, max_delay_seconds=60.0, budget_seconds=120.0, jitter=0.5)


class Rig:
    """A processor with back-off on the in-memory ports, a manual clock and recorded (not slept) waits."""

    def __init__(self, policy: BackoffPolicy = POLICY) -> None:
        router, self.worker, _ = hosting_router(Worker())
        self.clock = ManualClock(START)
        self.store = InMemoryHostStore(now=self.clock.now)
        self.bus = InMemoryRunEvents(router)
        self.waits: list[float] = []

        async def sleep(seconds: float) -> None:
            self.waits.append(seconds)

        self.retries = TransientRetries(policy, self.bus, clock=self.clock, rand=lambda: 0.5, sleep=sleep)
        self.processor = MessageProcessor(
            router=router,
            store=self.store,
            journal=self.store,
            transcript=self.store,
            runs=self.store,
            publisher=self.bus,
            teams={TEAM: TEAM},
            clock=self.clock,
            retries=self.retries,
        )

    async def deliver(self, copy: RetryCopy) -> Any:
        """Deliver a copy at its scheduled time, as Service Bus would."""
        self.clock.advance(copy.at - self.clock.now())
        received = IncomingMessage(
            body=copy.body,
            message_id=copy.message_id,
            session_id=copy.session_id,
            application_properties=dict(copy.properties),
        )
        if copy.queue == "tasks":
            return await self.processor.process_task(received)
        return await self.processor.process(copy.queue, received)


def job(kind: str = "ok") -> Envelope:
    return Envelope.wrap(Job(kind=kind, n=1), run_id=RUN, message_id="job-1", source="client", target="worker")


def incoming(envelope: Envelope, properties: Mapping[str, str] | None = None) -> IncomingMessage:
    return IncomingMessage(
        body=envelope.to_json(),
        message_id=envelope.message_id,
        session_id=envelope.run_id,
        application_properties=dict(properties or {"traceparent": "00-a-b-01"}),
    )


def refuse_commits(store: InMemoryHostStore, times: int, retry_after: float | None = None) -> list[int]:
    """Make the next `times` commits fail as a throttled Cosmos would; returns the list counting the refusals."""
    original = store.commit
    refused: list[int] = []

    async def commit(commit: Any) -> str:
        if len(refused) < times:
            refused.append(1)
            raise StoreUnavailableError("commit: Cosmos answered 429", retry_after=retry_after)
        return await original(commit)

    store.commit = commit  # type: ignore[method-assign]
    return refused


async def test_a_transient_failure_completes_the_message_and_schedules_its_copy_after_the_hint() -> None:
    rig = Rig()
    await rig.store.create_run(RUN, task="t", team=TEAM)
    refuse_commits(rig.store, 1, retry_after=7.0)
    envelope = job()
    settlement = await rig.processor.process("worker", incoming(envelope))
    assert (settlement.kind, settlement.outcome) == (SettlementKind.COMPLETE, Outcome.RESCHEDULED)
    assert settlement.reason == "StoreUnavailableError"
    (copy,) = rig.bus.copies
    assert copy.queue == "worker"
    assert copy.body == envelope.to_json()  # the same envelope, so the same inbox mark
    assert copy.message_id == "job-1/retry-1"  # not the original's id: duplicate detection would drop it
    assert copy.session_id == RUN
    assert copy.subject == Job.message_type
    assert copy.properties == {
        "traceparent": "00-a-b-01",
        RETRY_OF: "job-1",
        RETRY_ATTEMPT: "1",
        RETRY_SINCE: START.isoformat(),
    }
    assert copy.at == START + timedelta(seconds=7.0 * 1.25)  # the hint (above the 2 s base), plus jitter
    assert rig.store.commits == 0
    assert rig.bus.sent == []
    run = await rig.store.read_run(RUN)
    assert run is not None
    assert run["status"] == "queued"  # nothing failed


async def test_the_copy_handles_the_message_once_and_replays_the_journaled_step() -> None:
    rig = Rig()
    await rig.store.create_run(RUN, task="t", team=TEAM)
    refused = refuse_commits(rig.store, 2)
    await rig.processor.process("worker", incoming(job()))
    second = await rig.deliver(rig.bus.copies[-1])
    assert second.outcome is Outcome.RESCHEDULED
    third = await rig.deliver(rig.bus.copies[-1])
    assert third.outcome is Outcome.HANDLED
    assert len(refused) == 2
    assert rig.worker.effects == [f"{RUN}:worker:job-1:0"]  # the effect ran once, before the first refused commit
    (done,) = rig.bus.take()
    assert done.type == JobDone.message_type
    first, later = rig.bus.copies
    assert (first.message_id, later.message_id) == ("job-1/retry-1", "job-1/retry-2")
    assert later.properties[RETRY_SINCE] == START.isoformat()  # one streak
    # Exponential: the second wait (from the first copy's delivery) doubles the first.
    assert (later.at - first.at) == 2 * (first.at - START)


async def test_past_the_retry_budget_the_run_fails_with_the_last_error() -> None:
    rig = Rig(BackoffPolicy(base_seconds=10.0, max_delay_seconds=40.0, budget_seconds=60.0, jitter=0.0))
    await rig.store.create_run(RUN, task="t", team=TEAM)
    settlement = await rig.processor.process("worker", incoming(job("transient")))
    while settlement.outcome is Outcome.RESCHEDULED:
        settlement = await rig.deliver(rig.bus.copies[-1])
    assert (settlement.kind, settlement.outcome) == (SettlementKind.COMPLETE, Outcome.RUN_FAILED)
    assert [copy.properties[RETRY_ATTEMPT] for copy in rig.bus.copies] == ["1", "2", "3"]  # 10 + 20 + 40 s ≥ 60 s
    run = await rig.store.read_run(RUN)
    assert run is not None
    assert run["status"] == "failed"
    assert run["error"].startswith("Flaky: the dependency is busy")
    assert "70s of retries" in run["error"]
    assert rig.bus.statuses == ["failed"]


async def test_a_zero_budget_fails_the_run_at_the_first_transient_error() -> None:
    rig = Rig(BackoffPolicy(budget_seconds=0))
    await rig.store.create_run(RUN, task="t", team=TEAM)
    settlement = await rig.processor.process("worker", incoming(job("transient")))
    assert settlement.outcome is Outcome.RUN_FAILED
    assert rig.bus.copies == []


async def test_a_new_failure_after_a_successful_hop_starts_a_new_streak() -> None:
    rig = Rig()
    await rig.store.create_run(RUN, task="t", team=TEAM)
    refuse_commits(rig.store, 1)
    await rig.processor.process("worker", incoming(job()))
    await rig.deliver(rig.bus.copies[-1])  # handled: JobDone goes to the sink
    (done,) = rig.bus.take()
    rig.clock.advance(timedelta(seconds=500))
    refuse_commits(rig.store, 1)
    settlement = await rig.processor.process("sink", incoming(done, properties={}))
    assert settlement.outcome is Outcome.RESCHEDULED  # not failed: 500 s after the first streak began
    copy = rig.bus.copies[-1]
    assert (copy.properties[RETRY_ATTEMPT], copy.properties[RETRY_SINCE]) == ("1", rig.clock.now().isoformat())
    assert copy.message_id == f"{done.message_id}/retry-1"


async def test_a_task_whose_start_fails_is_retried_by_a_copy_that_starts_the_same_run() -> None:
    rig = Rig()
    rig.bus.fail_next_publish = 1
    task = IncomingMessage(body=json.dumps({"task": "t"}).encode(), message_id="run-from-task")
    settlement = await rig.processor.process_task(task)
    assert settlement.outcome is Outcome.RESCHEDULED
    (copy,) = rig.bus.copies
    assert (copy.queue, copy.message_id, copy.session_id) == ("tasks", "run-from-task/retry-1", None)
    started = await rig.deliver(copy)
    assert started.outcome is Outcome.STARTED
    (submitted,) = rig.bus.take()
    assert submitted.run_id == "run-from-task"
    assert await rig.store.read_run("run-from-task") is not None


async def test_a_busy_bus_is_waited_out_inline_before_the_copy_is_sent() -> None:
    rig = Rig()
    await rig.store.create_run(RUN, task="t", team=TEAM)
    refuse_commits(rig.store, 1)
    sends = 0
    original = rig.bus.send_copy

    async def busy_twice(copy: RetryCopy) -> None:
        nonlocal sends
        sends += 1
        if sends <= 2:
            raise BusBusyError("server busy", retry_after=10.0)
        await original(copy)

    rig.bus.send_copy = busy_twice  # type: ignore[method-assign]
    settlement = await rig.processor.process("worker", incoming(job()))
    assert settlement.outcome is Outcome.RESCHEDULED
    assert rig.waits == [12.5, 12.5]  # the bus's 10 s hint plus jitter, twice: within the 30 s inline limit
    assert len(rig.bus.copies) == 1


async def test_a_bus_busy_for_longer_than_the_inline_limit_falls_back_to_abandon() -> None:
    rig = Rig()
    await rig.store.create_run(RUN, task="t", team=TEAM)
    refuse_commits(rig.store, 1)

    async def always_busy(copy: RetryCopy) -> None:
        raise BusBusyError("server busy", retry_after=10.0)

    rig.bus.send_copy = always_busy  # type: ignore[method-assign]
    settlement = await rig.processor.process("worker", incoming(job()))
    assert (settlement.kind, settlement.outcome) == (SettlementKind.ABANDON, Outcome.RETRY)
    assert settlement.reason == "StoreUnavailableError"
    assert sum(rig.waits) <= POLICY.max_inline_seconds


async def test_an_answered_step_is_written_through_a_throttled_store_so_it_is_never_asked_twice() -> None:
    rig = Rig()
    await rig.store.create_run(RUN, task="t", team=TEAM)
    original = rig.store.record
    refusals: list[float] = []

    async def throttled(run_id: str, key: str, value: Mapping[str, Any]) -> Mapping[str, Any]:
        if len(refusals) < 2:
            refusals.append(1)
            raise StoreUnavailableError("record step: Cosmos answered 429", retry_after=1.0)
        return await original(run_id, key, value)

    rig.store.record = throttled  # type: ignore[method-assign]
    settlement = await rig.processor.process("worker", incoming(job()))
    assert settlement.outcome is Outcome.HANDLED
    assert rig.waits == [2.5, 5.0]  # the 2 s back-off (above the 1 s hint) doubling, plus jitter
    assert len(rig.worker.effects) == 1


async def test_a_step_write_that_keeps_failing_gives_up_after_the_inline_limit() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    class Down:
        async def recall(self, run_id: str, key: str) -> Mapping[str, Any] | None:
            return None

        async def record(self, run_id: str, key: str, value: Mapping[str, Any]) -> Mapping[str, Any]:
            raise TransientError("down")

    journal = PatientJournal(Down(), POLICY, rand=lambda: 0.0, sleep=sleep)
    with pytest.raises(TransientError, match="down"):
        await journal.record(RUN, "k", {"kind": "chat", "result": 1})
    assert waits == [2.0, 4.0, 8.0, 16.0]  # 30 s of waiting allowed; a fifth wait (32 s) would pass it


async def test_a_patient_write_hands_back_the_step_another_instance_recorded_first() -> None:
    class Raced:
        async def recall(self, run_id: str, key: str) -> Mapping[str, Any] | None:
            return None

        async def record(self, run_id: str, key: str, value: Mapping[str, Any]) -> Mapping[str, Any]:
            return {"kind": "chat", "result": "the other instance's answer"}

    journal = PatientJournal(Raced(), POLICY)
    kept = await journal.record(RUN, "k", {"kind": "chat", "result": "mine"})
    assert kept == {"kind": "chat", "result": "the other instance's answer"}
