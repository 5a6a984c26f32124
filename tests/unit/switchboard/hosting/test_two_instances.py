"""Two instances on one message (a lock lost mid-turn, a copy that read the journal a moment late), in memory.

Each instance has its own model, which answers differently (other tool call ids, other arguments, other text), and
its own copy of a side-effecting tool; they share the store. Barriers hold each instance at the point where the
race is worst: the second instance's model answers only after the first recorded that step, and both are inside the
tool at once. Whatever each computed, both must end with the same outbox, the effect must happen once, and one
commit wins while the other re-sends the stored outbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from switchboard.agent import ManualClock
from switchboard.agent.effect_keys import call_digest
from switchboard.agent.steps import StepLedger
from switchboard.agentchat import AssistantAgent
from switchboard.errors import DuplicateMessageError
from switchboard.hosting.memory import InMemoryHostStore
from switchboard.hosting.preloaded import PreloadedJournal
from switchboard.hosting.processor import MessageProcessor
from switchboard.hosting.settlement import IncomingMessage, Outcome, Settlement
from switchboard.messages import Envelope
from switchboard.models.chat import ModelRequest, ModelResponse, ToolCall
from switchboard.protocol import TEAM_MESSAGES
from switchboard.protocol.messages import TurnCompleted, TurnRequested
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.runtime import Commit, InMemoryStateStore, Router
from switchboard.testing import InMemoryRunEvents
from switchboard.tools import FunctionTool

RUN = "run-race"
MESSAGE = "turn-1"
NOW = datetime(2026, 12, 7, tzinfo=UTC)


class WatchedStore(InMemoryHostStore):
    """The shared store, announcing each recorded step and keeping every commit either instance tried."""

    def __init__(self, *, hold_commit_for: str | None = None) -> None:
        """With `hold_commit_for`, a commit waits until that event is set."""
        super().__init__(now=lambda: NOW)
        self.events: dict[str, asyncio.Event] = {}
        self.records: dict[str, int] = {}
        self.tried: list[Commit] = []
        self.hold_commit_for = hold_commit_for

    def event(self, name: str) -> asyncio.Event:
        return self.events.setdefault(name, asyncio.Event())

    async def record(self, run_id: str, key: str, value: Mapping[str, Any]) -> Mapping[str, Any]:
        kept = await super().record(run_id, key, value)
        self.records[key] = self.records.get(key, 0) + 1
        self.event(key).set()
        self.event(f"{key}#{self.records[key]}").set()
        return kept

    async def commit(self, commit: Commit) -> str:
        self.tried.append(commit)
        if self.hold_commit_for is not None:
            await asyncio.wait_for(self.event(self.hold_commit_for).wait(), 5)
        try:
            return await super().commit(commit)
        finally:
            self.event("committed").set()


class InstanceModel:
    """One instance's model, with its own answers per step.

    Both instances ask before either answers; the `late` one answers only once the other recorded the step.
    """

    model_name = "instance"

    def __init__(self, name: str, store: WatchedStore, *, late: bool, answer_after: str | None = None) -> None:
        """`answer_after`: the event the late instance waits for (default: the other's record of the step)."""
        self.name = name
        self.store = store
        self.late = late
        self.answer_after = answer_after
        self.peer_asks = {0, 1}
        self.requests: list[ModelRequest] = []

    async def create(self, request: ModelRequest) -> ModelResponse:
        self.requests.append(request)
        assert request.step is not None
        if request.step.index == 0:
            arguments = '{"to": "ops", "amount": 5}' if self.name == "a" else '{"to": "dev", "amount": 7}'
            reply = ModelResponse(tool_calls=(ToolCall(id=f"call_{self.name}", name="pay", arguments=arguments),))
        else:
            reply = ModelResponse(content=f"Paid, says {self.name}.")
        if self.late:
            self.store.event(f"asked:{request.step.index}").set()
            # Journal steps 0 and 2 are this agent's model calls 0 and 1.
            after = self.answer_after or f"helper:{MESSAGE}:{2 * request.step.index}"
            await asyncio.wait_for(self.store.event(after).wait(), 5)
        elif request.step.index in self.peer_asks:
            # The other instance asks too before this one answers: neither found the step in the journal.
            await asyncio.wait_for(self.store.event(f"asked:{request.step.index}").wait(), 5)
        return reply

    async def close(self) -> None:
        return None


class PaymentDesk:
    """The outside world: a payment service that pays once per idempotency key, and logs every attempt."""

    def __init__(self, store: WatchedStore) -> None:
        self.store = store
        self.paid: dict[str, str] = {}
        self.attempts: list[tuple[str, str]] = []
        self.inside = asyncio.Barrier(2)

    def tool(self, instance: str, *, late: bool) -> FunctionTool:
        async def pay(to: str, amount: int, idempotency_key: str) -> str:
            """Pay someone.

            Args:
                to: The payee.
                amount: How much.
            """
            self.attempts.append((instance, idempotency_key))
            await asyncio.wait_for(self.inside.wait(), 5)  # both instances are in the tool at once
            first = idempotency_key not in self.paid
            self.paid.setdefault(idempotency_key, f"{to}:{amount}")
            if late:
                await asyncio.wait_for(self.store.event(f"helper:{MESSAGE}:1").wait(), 5)
            return f"{instance}: {'paid' if first else 'already paid'} {to} {amount}"

        return FunctionTool(pay, side_effects=True)


def instance(
    name: str, store: WatchedStore, desk: PaymentDesk, *, late: bool, answer_after: str | None = None
) -> tuple[MessageProcessor, InstanceModel]:
    model = InstanceModel(name, store, late=late, answer_after=answer_after)
    agent = AssistantAgent("helper", model_client=model, tools=[desk.tool(name, late=late)], tool_choice="pay")
    router = Router([agent], extra_messages=TEAM_MESSAGES)
    processor = MessageProcessor(
        router=router,
        store=store,
        journal=store,
        transcript=store,
        runs=store,
        publisher=InMemoryRunEvents(router),
        teams={"team": "helper"},
        clock=ManualClock(NOW),
    )
    return processor, model


def turn() -> IncomingMessage:
    ask = TurnRequested(team="team", turn=0, new_messages=(TranscriptEntry(source="user", content="pay ops 5"),))
    envelope = Envelope.wrap(ask, run_id=RUN, message_id=MESSAGE, source="team", target="helper", created_at=NOW)
    return IncomingMessage(body=envelope.to_json(), message_id=MESSAGE, session_id=RUN)


async def test_two_instances_racing_one_message_end_alike_with_one_effect_and_one_commit() -> None:
    # The first commit waits until both recorded the last step, so both instances reach their commit.
    store = WatchedStore(hold_commit_for=f"helper:{MESSAGE}:2#2")
    desk = PaymentDesk(store)
    first, _ = instance("a", store, desk, late=False)
    second, model_b = instance("b", store, desk, late=True)

    settlements: tuple[Settlement, Settlement] = await asyncio.gather(
        first.process("helper", turn()), second.process("helper", turn())
    )

    assert {s.outcome for s in settlements} == {Outcome.HANDLED, Outcome.DUPLICATE}
    assert len(model_b.requests) == 2  # the late instance did call its model, and then went on with the stored answer
    # Both were inside the tool, with the same key (the adopted call's), and the payment happened once.
    digest = call_digest("pay", '{"amount":5,"to":"ops"}')
    key = f"{RUN}:helper:{MESSAGE}:1:pay:{digest}"
    assert sorted(desk.attempts) == [("a", key), ("b", key)]
    assert desk.paid == {key: "ops:5"}
    # Both computed the same outbox: the first recorded answers, tool result and text.
    assert len(store.tried) == 2
    outboxes = [[e.model_dump(mode="json") for e in commit.outgoing] for commit in store.tried]
    assert outboxes[0] == outboxes[1]
    (sent,) = store.tried[0].outgoing
    done = first.router.registry.decode(sent)
    assert isinstance(done, TurnCompleted)
    assert done.entry.content == "Paid, says a."
    (activity,) = done.entry.tool_activity
    assert activity.result.startswith("a: ")  # the first instance's tool result, whichever paid
    # The late instance's second model call carried the adopted tool call and its result, with matching ids.
    calls = [m for m in model_b.requests[1].messages if m.role == "assistant"]
    results = [m for m in model_b.requests[1].messages if m.role == "tool"]
    assert [c.id for m in calls for c in m.tool_calls] == ["call_a"]
    assert [r.tool_call_id for r in results] == ["call_a"]


async def test_a_checkpoint_adopts_a_step_another_instance_recorded_first() -> None:
    store = InMemoryStateStore()
    one = StepLedger(store, run_id=RUN, agent="helper", message_id=MESSAGE)
    two = StepLedger(store, run_id=RUN, agent="helper", message_id=MESSAGE)
    other_recorded = asyncio.Event()

    async def answer_late() -> str:
        await other_recorded.wait()
        return "mine"

    async def answer_first() -> str:
        return "theirs"

    async def first_call() -> str:
        value = await one.checkpoint("chat", answer_first, encode=str, decode=str)
        other_recorded.set()
        return value

    late, early = await asyncio.gather(two.checkpoint("chat", answer_late, encode=str, decode=str), first_call())
    assert (early, late) == ("theirs", "theirs")
    assert (one.adopted, two.adopted) == (0, 1)
    assert await store.recall(RUN, f"helper:{MESSAGE}:0") == {"kind": "chat", "result": "theirs"}


async def test_a_copy_that_records_after_the_other_committed_stops_and_resends_the_stored_outbox() -> None:
    store = WatchedStore()
    desk = PaymentDesk(store)
    desk.inside = asyncio.Barrier(1)  # the late copy never reaches the tool
    first, model_a = instance("a", store, desk, late=False)
    model_a.peer_asks = {0}
    # The late copy's model answers only after the first copy's whole hop is committed.
    second, _ = instance("b", store, desk, late=True, answer_after="committed")

    settlements = await asyncio.gather(first.process("helper", turn()), second.process("helper", turn()))

    assert [s.outcome for s in settlements] == [Outcome.HANDLED, Outcome.DUPLICATE]
    assert [instance for instance, _ in desk.attempts] == ["a"]  # its own (other) payment was never made
    assert len(store.tried) == 1
    sent_a = first.publisher
    sent_b = second.publisher
    assert isinstance(sent_a, InMemoryRunEvents)
    assert isinstance(sent_b, InMemoryRunEvents)
    assert [e.to_json() for e in sent_b.sent] == [e.to_json() for e in sent_a.sent]


async def test_the_in_memory_journal_refuses_a_step_of_a_message_committed_meanwhile() -> None:
    store = InMemoryStateStore()
    await store.record(RUN, f"helper:{MESSAGE}:0", {"kind": "chat", "result": "first"})
    await store.commit(
        Commit(agent="helper", run_id=RUN, message_id=MESSAGE, schema_version=1, state={}, expected_etag=None)
    )
    with pytest.raises(DuplicateMessageError):
        await store.record(RUN, f"helper:{MESSAGE}:1", {"kind": "tool", "result": "late"})
    # Other messages of the run record as usual.
    assert await store.record(RUN, "helper:turn-2:0", {"kind": "chat", "result": "next"}) == {
        "kind": "chat",
        "result": "next",
    }


async def test_after_an_adoption_the_hop_reads_later_steps_from_the_journal_not_its_stale_snapshot() -> None:
    store = InMemoryStateStore()
    journal = PreloadedJournal(store, steps={})  # the snapshot found no step of this message
    await store.record(RUN, f"helper:{MESSAGE}:0", {"kind": "chat", "result": "theirs"})
    await store.record(RUN, f"helper:{MESSAGE}:1", {"kind": "tool", "result": "their tool result"})
    assert await journal.recall(RUN, f"helper:{MESSAGE}:1") is None  # trusted the snapshot
    kept = await journal.record(RUN, f"helper:{MESSAGE}:0", {"kind": "chat", "result": "mine"})
    assert kept == {"kind": "chat", "result": "theirs"}
    assert await journal.recall(RUN, f"helper:{MESSAGE}:1") == {"kind": "tool", "result": "their tool result"}
