"""MessageProcessor on the in-memory ports: every step of docs/hosting.md's "Processing one message", no I/O."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from switchboard.agent import ManualClock
from switchboard.errors import TransientError
from switchboard.hosting.memory import InMemoryHostStore
from switchboard.hosting.ports import HopSnapshot
from switchboard.hosting.processor import MessageProcessor
from switchboard.hosting.settlement import IncomingMessage, Outcome, Settlement, SettlementKind
from switchboard.messages import Envelope
from switchboard.protocol.messages import TaskSubmitted
from switchboard.testing import InMemoryRunEvents
from tests.support.hosting_agents import TEAM, Job, JobDone, Worker, hosting_router

RUN = "run-1"
TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def build(worker: Worker | None = None) -> tuple[MessageProcessor, InMemoryHostStore, InMemoryRunEvents, Worker]:
    router, worker, _ = hosting_router(worker)
    clock = ManualClock(datetime(2026, 11, 29, tzinfo=UTC))
    store = InMemoryHostStore(now=clock.now)
    bus = InMemoryRunEvents(router)
    processor = MessageProcessor(
        router=router,
        store=store,
        journal=store,
        transcript=store,
        runs=store,
        publisher=bus,
        teams={TEAM: TEAM},
        clock=clock,
    )
    return processor, store, bus, worker


def incoming(envelope: Envelope, delivery_count: int = 1) -> IncomingMessage:
    return IncomingMessage(
        body=envelope.to_json(),
        message_id=envelope.message_id,
        delivery_count=delivery_count,
        session_id=envelope.run_id,
    )


def job(kind: str = "ok", n: int = 1, message_id: str = "job-1") -> Envelope:
    return Envelope.wrap(
        Job(kind=kind, n=n), run_id=RUN, message_id=message_id, source="client", target="worker", traceparent=TRACE
    )


async def pump(processor: MessageProcessor, bus: InMemoryRunEvents, limit: int = 50) -> list[Settlement]:
    settlements: list[Settlement] = []
    for _ in range(limit):
        batch = bus.take()
        if not batch:
            return settlements
        for envelope in batch:
            assert envelope.target is not None
            settlements.append(await processor.process(envelope.target, incoming(envelope)))
    raise AssertionError("the run did not settle")


async def test_a_task_runs_the_team_to_completed_with_events_and_transcript() -> None:
    processor, store, bus, _ = build()
    task = IncomingMessage(body=json.dumps({"task": "write a haiku"}).encode(), message_id=RUN)
    started = await processor.process_task(task)
    assert started == Settlement(SettlementKind.COMPLETE, outcome=Outcome.STARTED)
    assert [e.type for e in bus.sent] == [TaskSubmitted.message_type]
    settlements = await pump(processor, bus)
    assert {s.kind for s in settlements} == {SettlementKind.COMPLETE}
    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "completed"
    assert run["team"] == TEAM
    assert run["stop_reason"]
    assert set(run["usage"]) == {"writer", "critic"}
    assert [status for _, status, _ in bus.events] == ["queued", "running", "completed"]
    entries = await store.read(RUN, 0)
    assert [e["source"] for e in entries] == ["user", "writer", "critic"]


async def test_a_reposted_task_starts_no_second_run() -> None:
    processor, _store, bus, _ = build()
    task = IncomingMessage(body=b'{"task": "t", "team": "team"}', message_id=RUN)
    await processor.process_task(task)
    await pump(processor, bus)
    again = await processor.process_task(task)
    assert again.outcome == "already-started"
    assert bus.take() == []


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"not json", "not JSON"),
        (b'["task"]', "JSON object"),
        (b'{"task": ""}', "non-empty"),
        (b'{"task": "t", "team": "nope"}', "unknown team"),
    ],
)
async def test_a_bad_task_is_dead_lettered_with_its_reason(body: bytes, words: str) -> None:
    processor, store, bus, _ = build()
    settlement = await processor.process_task(IncomingMessage(body=body, message_id=RUN))
    assert settlement.kind is SettlementKind.DEAD_LETTER
    assert settlement.reason == "InvalidTaskError"
    assert settlement.description is not None
    assert words in settlement.description
    assert await store.read_run(RUN) is None
    assert bus.sent == []


def poison(kind: str) -> bytes:
    good = json.loads(job().to_json())
    if kind == "not-an-envelope":
        return b'{"hello": "world"}'
    if kind == "unknown-type":
        good["type"] = "test.hosting.Nope"
    elif kind == "bad-version":
        good["version"] = 9
    elif kind == "invalid-payload":
        good["payload"] = {"n": "many"}
    elif kind == "wrong-queue":
        good["target"] = "sink"
    return json.dumps(good).encode()


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("not-an-envelope", "InvalidEnvelopeError"),
        ("unknown-type", "UnknownMessageTypeError"),
        ("bad-version", "UnsupportedMessageVersionError"),
        ("invalid-payload", "InvalidMessagePayloadError"),
        ("wrong-queue", "UnroutableMessageError"),
    ],
)
async def test_poison_is_dead_lettered_at_once_without_touching_the_store(kind: str, reason: str) -> None:
    processor, store, _bus, worker = build()
    settlement = await processor.process("worker", IncomingMessage(body=poison(kind), message_id="m"))
    assert settlement.kind is SettlementKind.DEAD_LETTER
    assert settlement.reason == reason
    assert settlement.description
    assert store.snapshots == 0
    assert worker.effects == []


async def test_a_transient_error_abandons_and_commits_nothing() -> None:
    processor, store, bus, _ = build()
    settlement = await processor.process("worker", incoming(job("transient")))
    assert settlement.kind is SettlementKind.ABANDON
    assert settlement.reason == "Flaky"
    assert store.commits == 0
    assert bus.sent == []


async def test_a_permanent_error_fails_the_run_with_the_error_stored() -> None:
    processor, store, bus, _ = build()
    await store.create_run(RUN, task="t", team=TEAM)
    settlement = await processor.process("worker", incoming(job("permanent")))
    assert settlement.kind is SettlementKind.COMPLETE
    assert settlement.outcome == "run-failed"
    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "failed"
    assert "Broken" in run["error"]
    assert "can never work" in run["error"]
    assert [status for _, status, _ in bus.events] == ["failed"]


async def test_a_crash_between_commit_and_send_resends_the_same_outbox_once() -> None:
    processor, store, bus, worker = build()
    bus.fail_next_publish = 1
    first = await processor.process("worker", incoming(job()))
    assert first.kind is SettlementKind.ABANDON
    assert store.commits == 1  # committed, not sent
    again = await processor.process("worker", incoming(job(), delivery_count=2))
    assert again.outcome == "resent"
    (done,) = bus.take()
    assert done.type == JobDone.message_type
    assert done.target == "sink"
    stored = await store.outbox("worker", RUN, "job-1")
    assert stored is not None
    assert done.message_id == stored[0].message_id
    assert worker.effects == [f"{RUN}:worker:job-1:0"]  # the effect ran once
    assert store.commits == 1


async def test_any_later_copy_is_recognised_by_the_store_not_by_its_delivery_count() -> None:
    processor, _store, bus, worker = build()
    await processor.process("worker", incoming(job()))
    first_send = bus.take()
    # A copy that arrives as a first delivery (after the duplicate-detection window, or from an SDK counting
    # from 0): the hop's snapshot finds the outbox, so it is re-sent and nothing runs again.
    copy = await processor.process("worker", incoming(job(), delivery_count=1))
    assert copy.outcome == "resent"
    assert [e.message_id for e in bus.take()] == [e.message_id for e in first_send]
    assert len(worker.effects) == 1


async def test_a_copy_racing_the_first_delivery_meets_the_inbox_mark_at_commit() -> None:
    processor, store, bus, _worker = build()
    stale = await store.snapshot(RUN, "worker", "job-1")  # read before the first delivery commits

    async def stale_snapshot(run_id: str, agent: str, message_id: str, **_: object) -> HopSnapshot:
        return stale

    await processor.process("worker", incoming(job()))
    first_send = bus.take()
    store.snapshot = stale_snapshot  # type: ignore[method-assign]
    copy = await processor.process("worker", incoming(job(), delivery_count=2))
    assert copy.outcome == "duplicate"
    assert [e.message_id for e in bus.take()] == [e.message_id for e in first_send]
    state = await store.load("worker", RUN)
    assert state is not None
    assert state.data == {"jobs": 1}


async def test_a_redelivery_after_a_failed_commit_replays_its_step() -> None:
    processor, store, bus, worker = build()
    await store.create_run(RUN, task="t", team=TEAM)
    original = store.commit

    async def refuse(commit: object) -> str:
        raise TransientError("throttled")

    store.commit = refuse  # type: ignore[method-assign]
    assert (await processor.process("worker", incoming(job()))).kind is SettlementKind.ABANDON
    store.commit = original  # type: ignore[method-assign]
    again = await processor.process("worker", incoming(job(), delivery_count=2))
    assert again.outcome == "handled"
    assert len(worker.effects) == 1
    (done,) = bus.take()
    assert done.payload["effect"] == 1


async def test_a_cancelled_run_completes_its_messages_without_work() -> None:
    processor, store, bus, worker = build()
    await store.create_run(RUN, task="t", team=TEAM)
    assert await store.request_cancel(RUN) == "cancelled"
    settlement = await processor.process("worker", incoming(job()))
    assert settlement == Settlement(SettlementKind.COMPLETE, outcome=Outcome.RUN_ENDED)
    assert worker.effects == []
    assert bus.sent == []


async def test_a_run_cancelled_while_its_handler_works_refuses_the_commit_and_sends_nothing() -> None:
    processor, store, bus, worker = build()
    await store.create_run(RUN, task="t", team=TEAM)
    before_cancel = await store.snapshot(RUN, "worker", "job-1")
    await store.request_cancel(RUN)

    async def read_before_the_cancel(run_id: str, agent: str, message_id: str, **_: object) -> HopSnapshot:
        return before_cancel

    store.snapshot = read_before_the_cancel  # type: ignore[method-assign]
    settlement = await processor.process("worker", incoming(job()))
    assert settlement == Settlement(SettlementKind.COMPLETE, outcome=Outcome.RUN_ENDED)
    assert len(worker.effects) == 1  # the work ran, but none of its results were stored or sent
    assert store.commits == 0
    assert bus.sent == []
    assert bus.events == []
    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "cancelled"


async def test_a_hop_decodes_its_message_once_and_hands_the_decoded_message_to_the_dispatcher(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    processor, _store, _bus, worker = build()
    registry = processor.router.registry
    decode = registry.decode
    decoded: list[str] = []

    def counting(envelope: Envelope) -> object:
        decoded.append(envelope.message_id)
        return decode(envelope)

    monkeypatch.setattr(registry, "decode", counting)
    settlement = await processor.process("worker", incoming(job()))
    assert settlement.outcome is Outcome.HANDLED
    assert decoded == ["job-1"]
    assert len(worker.effects) == 1
