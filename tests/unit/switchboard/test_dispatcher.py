from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from switchboard.agent import ManualClock
from switchboard.errors import InvalidMessagePayloadError, StateConflictError, UnroutableMessageError
from switchboard.messages import Envelope
from switchboard.runtime import Dispatcher, InMemoryStateStore
from tests.unit.switchboard.sample_agents import Boom, Counter, CountState, Echo, Failing, Note, Ping, Pong

TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def make() -> tuple[Dispatcher, InMemoryStateStore]:
    store = InMemoryStateStore()
    clock = ManualClock(datetime(2026, 5, 1, tzinfo=UTC))
    return Dispatcher.for_agents([Counter("counter"), Echo("echo"), Failing("failing")], store, clock=clock), store


def ping(n: int, *, to: str | None = "counter", message_id: str | None = None) -> Envelope:
    return Envelope.wrap(
        Ping(n=n), run_id="run-1", source="planner", target=to, message_id=message_id, traceparent=TRACE
    )


async def test_state_is_loaded_before_and_committed_by_the_host_after_each_call() -> None:
    dispatcher, store = make()
    await store.commit((await dispatcher.dispatch(ping(1))).commit)
    result = await dispatcher.dispatch(ping(2, message_id="second"))
    assert result.state == CountState(count=2, seen=[1, 2])
    assert result.commit.state == {"count": 2, "seen": [1, 2]}
    assert result.commit.message_id == "second"
    assert result.commit.run_patch is None
    before = await store.load("counter", "run-1")
    assert before is not None
    assert before.data == {"count": 1, "seen": [1]}
    assert result.commit.expected_etag == before.etag
    etag = await store.commit(result.commit)
    stored = await store.load("counter", "run-1")
    assert stored is not None
    assert stored.data == {"count": 2, "seen": [1, 2]}
    assert stored.etag == etag
    other_run = await store.load("counter", "run-2")
    assert other_run is None


async def test_outgoing_envelopes_carry_identity_and_trace() -> None:
    dispatcher, _ = make()
    incoming = ping(5, message_id="in-1")
    result = await dispatcher.dispatch(incoming)
    (out,) = result.outgoing
    assert out.type == Pong.message_type
    assert dict(out.payload) == {"n": 5}
    assert out.target == "planner"  # answered to the sender
    assert out.source == "counter"
    assert out.causation_id == "in-1"
    assert out.correlation_id == "run-1"
    assert out.traceparent == TRACE
    assert out.created_at == datetime(2026, 5, 1, tzinfo=UTC)
    uuid.UUID(out.message_id)


async def test_outgoing_ids_are_deterministic_so_redelivery_is_deduplicated() -> None:
    first, _ = make()
    second, _ = make()
    a = await first.dispatch(ping(1, message_id="same"))
    b = await second.dispatch(ping(1, message_id="same"))
    c = await second.dispatch(ping(1, message_id="other"))
    assert a.outgoing[0].message_id == b.outgoing[0].message_id
    assert c.outgoing[0].message_id != a.outgoing[0].message_id


async def test_publish_leaves_target_empty_for_fan_out() -> None:
    dispatcher, _ = make()
    result = await dispatcher.dispatch(ping(3, to="echo"))
    (out,) = result.outgoing
    assert out.target is None
    assert out.type == Note.message_type


async def test_a_failing_handler_commits_nothing_and_emits_nothing() -> None:
    dispatcher, store = make()
    with pytest.raises(Boom):
        await dispatcher.dispatch(ping(1, to="failing"))
    assert await store.load("failing", "run-1") is None


async def test_concurrent_change_is_a_retryable_conflict() -> None:
    dispatcher, store = make()
    await store.commit((await dispatcher.dispatch(ping(1))).commit)
    mine = await dispatcher.dispatch(ping(2))
    theirs = await dispatcher.dispatch(ping(3))  # loaded the same state: a second handler racing ours
    await store.commit(theirs.commit)
    with pytest.raises(StateConflictError) as info:
        await store.commit(mine.commit)
    assert info.value.retryable
    stored = await store.load("counter", "run-1")
    assert stored is not None
    assert stored.data == {"count": 2, "seen": [1, 3]}


@pytest.mark.parametrize(
    ("target", "reason"),
    [(None, "has no target"), ("ghost", "no agent named 'ghost'"), ("counter", "does not handle test.pong")],
)
async def test_unroutable_envelopes_are_refused(target: str | None, reason: str) -> None:
    dispatcher, _ = make()
    env = Envelope.wrap(Pong(n=1) if target == "counter" else Ping(n=1), run_id="r", target=target)
    with pytest.raises(UnroutableMessageError, match=reason):
        await dispatcher.dispatch(env)


async def test_invalid_payload_is_refused_before_the_handler_runs() -> None:
    dispatcher, store = make()
    bad = Envelope(
        message_id="m",
        type=Ping.message_type,
        version=1,
        run_id="run-1",
        target="counter",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        payload={"n": "many"},
    )
    with pytest.raises(InvalidMessagePayloadError, match="n: Input should be a valid integer"):
        await dispatcher.dispatch(bad)
    assert await store.load("counter", "run-1") is None
