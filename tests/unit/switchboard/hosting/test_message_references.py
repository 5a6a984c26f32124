"""No framework message carries transcript text: turns name ranges, answers are refs, the hop snapshot reads both.

On the in-memory ports through `MessageProcessor`; the Cosmos query is tested in
tests/integration/hosting/test_snapshot_references.py and the whole path in tests/e2e/faults/test_large_outputs.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from switchboard.agentchat import AssistantAgent
from switchboard.hosting.memory import InMemoryHostStore
from switchboard.hosting.processor import MessageProcessor
from switchboard.hosting.settlement import IncomingMessage, Outcome, SettlementKind
from switchboard.messages import Envelope
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.protocol.messages import TEAM_MESSAGES, TurnCompleted, TurnRequested
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.runtime.router import Router
from switchboard.teams import RoundRobinGroupChat
from switchboard.termination import MaxMessageTermination
from switchboard.testing import InMemoryRunEvents

RUN = "run-refs"
BIG = 150_000


class CountingHostStore(InMemoryHostStore):
    """Counts reads made outside the hop snapshot (transcript and attachment reads)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    async def read(self, run_id: str, start: int, end: int | None = None) -> list[Mapping[str, Any]]:
        self.reads += 1
        return await super().read(run_id, start, end)

    async def attachments(self, run_id: str, ids: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        self.reads += 1
        return await super().attachments(run_id, ids)


def build(turns: int = 3) -> tuple[MessageProcessor, CountingHostStore, InMemoryRunEvents]:
    script = {"agents": {name: [{"content": name[0] * BIG}] * turns for name in ("alpha", "beta", "gamma")}}
    client = ScriptedModelClient(Script.model_validate(script))
    team = RoundRobinGroupChat(
        [AssistantAgent(name, model_client=client) for name in ("alpha", "beta", "gamma")],
        termination=MaxMessageTermination(1 + turns),
        name="team",
    )
    router = Router(team.agents(), extra_messages=TEAM_MESSAGES)
    store = CountingHostStore()
    bus = InMemoryRunEvents(router)
    processor = MessageProcessor(
        router=router, store=store, journal=store, transcript=store, runs=store, publisher=bus, teams={"team": "team"}
    )
    return processor, store, bus


def incoming(envelope: Envelope) -> IncomingMessage:
    return IncomingMessage(body=envelope.to_json(), message_id=envelope.message_id, session_id=envelope.run_id)


async def drive(processor: MessageProcessor, bus: InMemoryRunEvents) -> list[Envelope]:
    sent: list[Envelope] = []
    for _ in range(50):
        batch = bus.take()
        if not batch:
            return sent
        sent += batch
        for envelope in batch:
            assert envelope.target is not None
            settlement = await processor.process(envelope.target, incoming(envelope))
            assert settlement.outcome is Outcome.HANDLED, settlement
    raise AssertionError("the run did not settle")


async def test_150_kb_answers_travel_as_refs_and_ranges_and_the_snapshot_serves_them_without_a_read() -> None:
    processor, store, bus = build()
    await processor.process_task(IncomingMessage(body=json.dumps({"task": "go"}).encode(), message_id=RUN))
    sent = await drive(processor, bus)
    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "completed"
    transcript = [TranscriptEntry.model_validate(e) for e in await store.read(RUN, 0)]
    assert [(e.source, len(e.content)) for e in transcript] == [
        ("user", 2),
        *((n, BIG) for n in ("alpha", "beta", "gamma")),
    ]
    turns = [e for e in sent if e.type in (TurnRequested.message_type, TurnCompleted.message_type)]
    assert len(turns) == 6
    # Every message is small however large the answers: 450 KB of text went through and none of it on the bus.
    assert max(len(e.to_json()) for e in sent) < 2_000
    assert {e.version for e in turns} == {2}
    # Each receiver found what it was named in the hop's snapshot; only `read` above and nothing during the run.
    assert store.reads == 1


async def test_old_shape_messages_in_flight_at_deploy_still_decode_and_are_handled() -> None:
    processor, store, bus = build()
    await processor.process_task(IncomingMessage(body=json.dumps({"task": "go"}).encode(), message_id=RUN))
    (start,) = bus.take()
    assert (await processor.process("team", incoming(start))).outcome is Outcome.HANDLED
    (ask,) = bus.take()
    # The v1 shape of the same request: the unseen entries inline, no range.
    task = TranscriptEntry(source="user", content="go", kind="task").model_dump(mode="json")
    v1_ask = ask.model_copy(update={"version": 1, "payload": {"team": "team", "turn": 0, "new_messages": [task]}})
    assert (await processor.process("alpha", incoming(v1_ask))).outcome is Outcome.HANDLED
    (answer,) = bus.take()
    assert answer.payload["ref"]
    assert answer.payload["entry"] is None
    # The v1 shape of an answer: the entry inline.
    entry = TranscriptEntry(source="alpha", content="inline answer").model_dump(mode="json")
    v1_answer = answer.model_copy(update={"version": 1, "payload": {"team": "team", "turn": 0, "entry": entry}})
    assert (await processor.process("team", incoming(v1_answer))).outcome is Outcome.HANDLED
    assert [e["content"] for e in await store.read(RUN, 0)] == ["go", "inline answer"]


async def test_a_newer_version_is_dead_lettered_with_a_clear_reason() -> None:
    processor, _store, _bus = build()
    v3 = Envelope(
        message_id="m-v3",
        type=TurnRequested.message_type,
        version=3,
        run_id=RUN,
        target="alpha",
        created_at="2026-12-07T00:00:00Z",  # type: ignore[arg-type]
        payload={"team": "team", "turn": 0, "start": 0, "end": 1},
    )
    settlement = await processor.process("alpha", incoming(v3))
    assert settlement.kind is SettlementKind.DEAD_LETTER
    assert settlement.reason == "UnsupportedMessageVersionError"
    assert "newer than this deployment's v2" in (settlement.description or "")


async def test_an_answer_whose_item_is_gone_fails_the_run_with_the_reason() -> None:
    processor, store, bus = build()
    await processor.process_task(IncomingMessage(body=json.dumps({"task": "go"}).encode(), message_id=RUN))
    (start,) = bus.take()
    await processor.process("team", incoming(start))
    bus.take()
    ghost = Envelope.wrap(
        TurnCompleted(team="team", turn=0, ref="attachment:alpha:nowhere:0"), run_id=RUN, source="alpha", target="team"
    )
    settlement = await processor.process("team", incoming(ghost))
    assert settlement.outcome is Outcome.RUN_FAILED
    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "failed"
    assert run["error"].startswith("MissingReferenceError: the answer attachment:alpha:nowhere:0")
