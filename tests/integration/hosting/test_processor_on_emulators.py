"""MessageProcessor on the real emulators: Cosmos through CosmosRunStore, Service Bus through the SDK receivers."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass

import pytest
from azure.servicebus import ServiceBusMessage, ServiceBusReceivedMessage
from azure.servicebus.aio import ServiceBusClient, ServiceBusReceiver

from switchboard.errors import TransientError
from switchboard.hosting.processor import MessageProcessor
from switchboard.hosting.settlement import IncomingMessage, Settlement, SettlementKind
from switchboard.messages import Envelope
from switchboard.runtime.protocols import Commit
from switchboard.state import CosmosRunStore, RequestCounts, StoreUnavailableError
from switchboard.transport import DeadLetters, ServiceBusPublisher, message_for, text_properties
from tests.support.emulators import ServiceBusEmulator
from tests.support.hosting_agents import TEAM, Job, Worker, hosting_router
from tests.support.hosting_bus import drain, incoming_of, settle

pytestmark = pytest.mark.emulator

RUN = "run-proc-1"


class CrashingPublisher(ServiceBusPublisher):
    """Fails its first `publish` as a process dying right after the commit would."""

    crashes = 1

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        if self.crashes:
            self.crashes -= 1
            raise TransientError("the host died before sending")
        await super().publish(envelopes)


@dataclass
class Rig:
    processor: MessageProcessor
    store: CosmosRunStore
    publisher: ServiceBusPublisher
    worker: Worker
    client: ServiceBusClient
    hops: list[tuple[str, RequestCounts]]

    async def process(self, queue: str, incoming: IncomingMessage) -> Settlement:
        before = self.store.counter.snapshot()
        if queue == "tasks":
            settlement = await self.processor.process_task(incoming)
        else:
            settlement = await self.processor.process(queue, incoming)
        self.hops.append((queue, self.store.counter.snapshot() - before))
        return settlement

    async def receivers(
        self, stack: AsyncExitStack, queues: Sequence[str], run: str = RUN
    ) -> dict[str, ServiceBusReceiver]:
        opened = {}
        for queue in queues:
            session = None if queue == "tasks" else run
            receiver = self.client.get_queue_receiver(queue, session_id=session, max_wait_time=5)
            opened[queue] = await stack.enter_async_context(receiver)
        return opened


def make_rig(store: CosmosRunStore, client: ServiceBusClient, publisher_type: type[ServiceBusPublisher]) -> Rig:
    router, worker, _ = hosting_router(turns=2)
    publisher = publisher_type(client, router)
    processor = MessageProcessor(
        router=router,
        store=store,
        journal=store,
        transcript=store,
        runs=store,
        publisher=publisher,
        teams={TEAM: TEAM},
    )
    return Rig(processor, store, publisher, worker, client, [])


@pytest.fixture
async def rig(store: CosmosRunStore, sb_client: ServiceBusClient) -> AsyncIterator[Rig]:
    made = make_rig(store, sb_client, ServiceBusPublisher)
    yield made
    await made.publisher.close()


async def test_a_task_from_the_plain_sdk_reaches_completed_with_events_at_most_three_requests_per_hop(
    rig: Rig, sb_client: ServiceBusClient
) -> None:
    task = ServiceBusMessage(json.dumps({"task": "write a haiku", "team": TEAM}), message_id=RUN)
    async with sb_client.get_queue_sender("tasks") as sender:
        await sender.send_messages(task)
        await sender.send_messages(task)  # a re-post: duplicate detection drops it
    async with AsyncExitStack() as stack:
        handled = await drain(await rig.receivers(stack, ["tasks", "team", "writer", "critic"]), rig.process)
    assert [queue for queue, _ in handled] == ["tasks", "team", "writer", "team", "critic", "team"]
    assert {s.outcome for _, s in handled} == {"started", "handled"}
    view = await rig.store.get_run(RUN)
    assert view is not None
    assert view["status"] == "completed"
    assert view["stop_reason"]
    assert [(e["source"], e["content"]) for e in view["transcript"]] == [
        ("user", "write a haiku"),
        ("writer", "draft 0"),
        ("critic", "review 0"),
    ]
    assert set(view["usage"]) == {"writer", "critic"}
    async with sb_client.get_subscription_receiver("run-events", "monitor", max_wait_time=5) as events:
        announced = await events.receive_messages(max_message_count=3, max_wait_time=5)
    assert [e.subject for e in announced] == ["queued", "running", "completed"]
    assert {text_properties(e.application_properties)["run_id"] for e in announced} == {RUN}
    agent_hops = [counts for queue, counts in rig.hops if queue != "tasks"]
    assert max(counts.requests for counts in agent_hops) <= 3
    # The task re-posted after the duplicate-detection window finds its run started and starts nothing.
    again = await rig.processor.process_task(
        IncomingMessage(body=task.body if isinstance(task.body, bytes) else b"".join(task.body), message_id=RUN)
    )
    assert again.outcome == "already-started"


def raw(envelope: Envelope, body: bytes | None = None) -> ServiceBusMessage:
    message = message_for(envelope)
    if body is None:
        return message
    return ServiceBusMessage(body, message_id=envelope.message_id, session_id=envelope.run_id)


def job(kind: str = "ok", message_id: str = "job-1", run: str = RUN) -> Envelope:
    return Envelope.wrap(Job(kind=kind), run_id=run, message_id=message_id, source="client", target="worker")


async def test_poison_is_dead_lettered_at_once_with_its_reason(
    rig: Rig, sb_client: ServiceBusClient, sb_emulator: ServiceBusEmulator
) -> None:
    good = json.loads(job().to_json())
    bodies = {
        "p-envelope": b"\x00 not an envelope",
        "p-type": json.dumps({**good, "type": "test.hosting.Nope"}).encode(),
        "p-version": json.dumps({**good, "version": 9}).encode(),
        "p-payload": json.dumps({**good, "payload": {"n": "many"}}).encode(),
    }
    async with sb_client.get_queue_sender("worker") as sender:
        await sender.send_messages([raw(job(message_id=mid), body) for mid, body in bodies.items()])
    async with AsyncExitStack() as stack:
        handled = await drain(await rig.receivers(stack, ["worker"]), rig.process)
    assert [s.kind for _, s in handled] == [SettlementKind.DEAD_LETTER] * 4
    # One request each: the conditional failure of the run the letter names (this run has no document: nothing).
    assert all(counts.requests == 1 for _, counts in rig.hops)
    letters = await DeadLetters(sb_client).peek("worker")
    # Dead-lettered on the first delivery: no abandon, so no redelivery was ever handled (4 hops for 4 messages).
    assert [(d.message_id, d.reason) for d in letters] == [
        ("p-envelope", "InvalidEnvelopeError"),
        ("p-type", "UnknownMessageTypeError"),
        ("p-version", "UnsupportedMessageVersionError"),
        ("p-payload", "InvalidMessagePayloadError"),
    ]
    assert all(d.description for d in letters)
    assert rig.worker.effects == []


async def receive_one(receiver: ServiceBusReceiver) -> ServiceBusReceivedMessage:
    (message,) = await receiver.receive_messages(max_message_count=1, max_wait_time=5)
    return message


async def test_transient_abandons_and_permanent_fails_the_run(rig: Rig, sb_client: ServiceBusClient) -> None:
    await rig.store.create_run(RUN, task="t", team=TEAM)
    async with sb_client.get_queue_sender("worker") as sender:
        await sender.send_messages([message_for(job("transient", "t-1")), message_for(job("permanent", "p-1"))])
    async with sb_client.get_queue_receiver("worker", session_id=RUN, max_wait_time=5) as receiver:
        first = await receive_one(receiver)
        settlement = await rig.process("worker", incoming_of(first))
        assert (settlement.kind, settlement.reason) == (SettlementKind.ABANDON, "Flaky")
        await settle(receiver, first, settlement)
        again = await receive_one(receiver)
        assert (again.message_id, incoming_of(again).delivery_count) == ("t-1", 2)
        await receiver.complete_message(again)
        permanent = await receive_one(receiver)
        settlement = await rig.process("worker", incoming_of(permanent))
        assert (settlement.kind, settlement.outcome) == (SettlementKind.COMPLETE, "run-failed")
        await settle(receiver, permanent, settlement)
    run = await rig.store.read_run(RUN)
    assert run is not None
    assert run["status"] == "failed"
    assert run["error"] == "Broken: the job can never work"


@pytest.mark.parametrize("crash", ["before-send", "after-send"])
async def test_a_redelivery_after_a_crash_resends_the_same_outbox_and_nothing_doubles_downstream(
    crash: str, store: CosmosRunStore, sb_client: ServiceBusClient, sb_emulator: ServiceBusEmulator
) -> None:
    rig = make_rig(store, sb_client, CrashingPublisher if crash == "before-send" else ServiceBusPublisher)
    await store.create_run(RUN, task="t", team=TEAM)
    async with sb_client.get_queue_sender("worker") as sender:
        await sender.send_messages(message_for(job()))
    async with sb_client.get_queue_receiver("worker", session_id=RUN, max_wait_time=5) as receiver:
        first = await receive_one(receiver)
        settlement = await rig.process("worker", incoming_of(first))
        # Either the send failed (abandon), or the process died before completing: the lock is given up.
        await receiver.abandon_message(first)
        assert settlement.kind is (SettlementKind.ABANDON if crash == "before-send" else SettlementKind.COMPLETE)
        again = await receive_one(receiver)
        assert incoming_of(again).delivery_count == 2
        redelivered = await rig.process("worker", incoming_of(again))
        assert redelivered.outcome == "resent"
        await settle(receiver, again, redelivered)
    await rig.publisher.close()
    assert rig.hops[1][1].requests == 1  # one query found the outbox; nothing else was read or written
    assert len(rig.worker.effects) == 1
    stored = await store.outbox("worker", RUN, "job-1")
    assert stored is not None
    async with sb_client.get_queue_receiver("sink", session_id=RUN, max_wait_time=5) as sink:
        (done,) = await sink.receive_messages(max_message_count=2, max_wait_time=2)
    assert done.message_id == stored[0].message_id
    assert sb_emulator.counts("sink")["active"] == 1  # the only copy, still locked by nobody


async def test_a_cancelled_run_completes_its_messages_without_work(rig: Rig, sb_client: ServiceBusClient) -> None:
    await rig.store.create_run(RUN, task="t", team=TEAM)
    assert await rig.store.request_cancel(RUN) == "cancelled"
    settlement = await rig.process("worker", IncomingMessage(body=job().to_json(), message_id="job-1", session_id=RUN))
    assert settlement.outcome == "run-ended"
    assert rig.worker.effects == []
    snapshot = await rig.store.snapshot(RUN, "worker", "job-1")
    assert (snapshot.state, snapshot.outbox, snapshot.steps) == (None, None, {})
    view = await rig.store.get_run(RUN)
    assert view is not None
    assert view["status"] == "cancelled"
    assert view["transcript"] == []


class ThrottledOnce(CosmosRunStore):
    """Refuses its first commit as a throttled Cosmos would (after the handler's steps were written through)."""

    throttled = 1

    async def commit(self, commit: Commit) -> str:
        if self.throttled:
            self.throttled -= 1
            raise StoreUnavailableError("Cosmos answered 429")
        return await super().commit(commit)


async def test_a_redelivery_replays_the_journaled_step_from_cosmos_instead_of_calling_again(
    store: CosmosRunStore, sb_client: ServiceBusClient
) -> None:
    throttled = ThrottledOnce(store.container, counter=store.counter)
    rig = make_rig(throttled, sb_client, ServiceBusPublisher)
    await store.create_run(RUN, task="t", team=TEAM)
    message = IncomingMessage(body=job().to_json(), message_id="job-1", session_id=RUN)
    first = await rig.process("worker", message)
    assert (first.kind, first.reason) == (SettlementKind.ABANDON, "StoreUnavailableError")
    assert await store.recall(RUN, "worker:job-1:0") == {"kind": "tool", "result": 1}
    second = await rig.process("worker", dataclasses.replace(message, delivery_count=2))
    await rig.publisher.close()
    assert second.outcome == "handled"
    assert rig.worker.effects == [f"{RUN}:worker:job-1:0"]  # one effect, one idempotency key
    assert [counts.requests for _, counts in rig.hops] == [2, 2]  # snapshot + step write; snapshot + batch
    state = await store.load("worker", RUN)
    assert state is not None
    assert state.data == {"jobs": 1}
