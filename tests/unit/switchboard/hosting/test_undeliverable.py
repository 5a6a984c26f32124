"""A message that will not be processed ends its run `failed` (switchboard/hosting/undeliverable.py), in memory."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from switchboard.agent import ManualClock
from switchboard.hosting.memory import InMemoryHostStore
from switchboard.hosting.processor import MessageProcessor
from switchboard.hosting.settlement import IncomingMessage, Outcome, SettlementKind
from switchboard.messages import Envelope
from switchboard.testing import InMemoryRunEvents
from tests.support.hosting_agents import TEAM, Job, hosting_router

RUN = "run-7"


def build(max_delivery_count: int | None = 3) -> tuple[MessageProcessor, InMemoryHostStore, InMemoryRunEvents]:
    router, _, _ = hosting_router()
    clock = ManualClock(datetime(2026, 12, 7, tzinfo=UTC))
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
        max_delivery_count=max_delivery_count,
    )
    return processor, store, bus


def job_message(kind: str, *, delivery_count: int = 1, run_id: str = RUN) -> IncomingMessage:
    envelope = Envelope.wrap(Job(kind=kind, n=1), run_id=run_id, message_id="job-1", source="client", target="worker")
    return IncomingMessage(envelope.to_json(), "job-1", delivery_count=delivery_count, session_id=run_id)


async def test_bad_input_on_an_agent_queue_fails_the_session_run_and_stays_dead_lettered() -> None:
    processor, store, bus = build()
    await store.create_run(RUN, task="t", team=TEAM)
    garbage = IncomingMessage(b"{not json", "m-1", session_id=RUN)
    settlement = await processor.process("worker", garbage)
    assert settlement.kind is SettlementKind.DEAD_LETTER
    assert settlement.reason == "InvalidEnvelopeError"
    assert settlement.outcome is Outcome.RUN_FAILED
    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "failed"
    assert "dead-lettered: InvalidEnvelopeError" in run["error"]
    assert bus.statuses == ["failed"]


async def test_an_unknown_message_type_fails_the_run_named_by_its_envelope() -> None:
    processor, store, _bus = build()
    await store.create_run(RUN, task="t", team=TEAM)
    body = json.loads(job_message("ok").body)
    body["type"] = "RemovedByDeploy"  # a message type a deploy took away
    settlement = await processor.process("worker", IncomingMessage(json.dumps(body).encode(), "m-2", session_id=None))
    assert settlement.kind is SettlementKind.DEAD_LETTER
    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "failed"
    assert "UnknownMessageTypeError" in run["error"]


async def test_an_invalid_run_id_fails_nothing_and_the_message_is_still_dead_lettered() -> None:
    processor, store, bus = build()
    await store.create_run(RUN, task="t", team=TEAM)
    settlement = await processor.process("worker", IncomingMessage(b"[]", "m-3", session_id="../" + "x" * 300))
    assert settlement.kind is SettlementKind.DEAD_LETTER
    assert settlement.outcome is Outcome.BAD_INPUT
    assert (await store.read_run(RUN) or {})["status"] == "queued"
    assert bus.events == []


async def test_a_dead_letter_for_an_ended_or_unknown_run_changes_nothing() -> None:
    processor, store, bus = build()
    settlement = await processor.process("worker", IncomingMessage(b"{", "m-4", session_id="no-such-run"))
    assert settlement.outcome is Outcome.BAD_INPUT
    assert store.runs_by_id == {}
    assert bus.events == []


async def test_a_transient_failure_abandons_until_the_last_delivery_which_fails_the_run() -> None:
    processor, store, bus = build(max_delivery_count=3)
    await store.create_run(RUN, task="t", team=TEAM)
    early = await processor.process("worker", job_message("transient", delivery_count=2))
    assert early.kind is SettlementKind.ABANDON
    assert (await store.read_run(RUN) or {})["status"] == "queued"
    last = await processor.process("worker", job_message("transient", delivery_count=3))
    assert last.kind is SettlementKind.DEAD_LETTER
    assert last.reason == "MaxDeliveryCountExceeded"
    assert last.description is not None
    assert "delivery 3 of 3" in last.description
    assert "Flaky" in last.description
    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "failed"
    assert "MaxDeliveryCountExceeded" in run["error"]
    assert "the dependency is busy" in run["error"]
    assert bus.statuses == ["failed"]


async def test_without_a_max_delivery_count_the_last_abandon_is_left_to_service_bus() -> None:
    processor, store, _ = build(max_delivery_count=None)
    await store.create_run(RUN, task="t", team=TEAM)
    settlement = await processor.process("worker", job_message("transient", delivery_count=50))
    assert settlement.kind is SettlementKind.ABANDON


async def test_a_bad_task_fails_the_queued_run_the_http_api_created() -> None:
    processor, store, bus = build()
    await store.create_run(RUN, task="", team=TEAM)
    settlement = await processor.process_task(IncomingMessage(json.dumps({"task": 5}).encode(), RUN))
    assert settlement.kind is SettlementKind.DEAD_LETTER
    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "failed"
    assert bus.statuses == ["failed"]


async def test_a_store_outage_while_failing_keeps_the_dead_letter() -> None:
    processor, store, _bus = build()
    await store.create_run(RUN, task="t", team=TEAM)

    async def unreachable(run_id: str, error: str) -> bool:
        raise ConnectionError("cosmos is down")

    store.fail_run = unreachable  # type: ignore[method-assign]
    settlement = await processor.process("worker", IncomingMessage(b"{", "m-5", session_id=RUN))
    assert settlement.kind is SettlementKind.DEAD_LETTER
    assert settlement.outcome is Outcome.BAD_INPUT
