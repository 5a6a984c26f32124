"""`switchboard.testing.InMemoryRunEvents`: the `RunEvents` port in memory, as tests of hosted runs use it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from switchboard.errors import TransientError
from switchboard.hosting.ports import RunEvents
from switchboard.messages import Envelope
from switchboard.testing import InMemoryRunEvents, RunEvent
from tests.support.hosting_agents import Job, hosting_router


def _job(target: str | None) -> Envelope:
    return Envelope.wrap(Job(kind="ok", n=1), run_id="r", message_id="m", source="client", target=target)


async def test_publishes_fan_out_like_service_bus_and_everything_is_recorded_in_order() -> None:
    router, _, _ = hosting_router()
    bus: RunEvents = InMemoryRunEvents(router)
    assert isinstance(bus, InMemoryRunEvents)
    await bus.publish([_job("worker"), _job(None)])
    assert [e.target for e in bus.sent] == ["worker", *router.subscribers(Job.message_type)]
    at = datetime(2026, 12, 1, tzinfo=UTC)
    later = _job("worker")
    await bus.schedule([later], at)
    await bus.publish_event("r", "queued", event_id="r/queued")
    await bus.publish_event("r", "running")
    assert bus.scheduled == [(later, at)]
    assert bus.events == [RunEvent("r", "queued", "r/queued"), RunEvent("r", "running", None)]
    assert bus.statuses == ["queued", "running"]
    assert len(bus.take()) == 2
    assert bus.take() == []


async def test_an_outage_fails_the_next_publishes_and_a_missing_router_is_a_clear_error() -> None:
    router, _, _ = hosting_router()
    bus = InMemoryRunEvents(router)
    bus.fail_next_publish = 1
    with pytest.raises(TransientError):
        await bus.publish([_job("worker")])
    await bus.publish([_job("worker")])
    assert len(bus.sent) == 1
    with pytest.raises(RuntimeError, match="router"):
        await InMemoryRunEvents().publish([_job("worker")])
