"""The Cosmos step journal answers a concurrent record with the stored value (read back on the 409)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from switchboard.agent.steps import StepLedger
from switchboard.state import CosmosRunStore

pytestmark = pytest.mark.emulator

RUN = "run-adopt-1"


async def test_a_second_record_of_a_step_returns_the_first_value(store: CosmosRunStore) -> None:
    first = {"kind": "chat", "result": {"content": "first", "tool_calls": [{"id": "call_a"}]}}
    assert await store.record(RUN, "helper:m1:0", first) == first
    before = store.counter.snapshot()
    kept = await store.record(RUN, "helper:m1:0", {"kind": "chat", "result": {"content": "second"}})
    assert kept == first
    assert (store.counter.snapshot() - before).requests == 2  # the refused create and the read back
    assert await store.recall(RUN, "helper:m1:0") == first


async def test_two_ledgers_racing_a_step_on_cosmos_both_continue_with_the_first_answer(store: CosmosRunStore) -> None:
    one = StepLedger(store, run_id=RUN, agent="helper", message_id="m2")
    two = StepLedger(store, run_id=RUN, agent="helper", message_id="m2")
    recorded = asyncio.Event()

    async def early() -> str:
        value = await one.checkpoint("chat", _answer("early"), encode=str, decode=str)
        recorded.set()
        return value

    async def late_answer() -> str:
        await asyncio.wait_for(recorded.wait(), 10)
        return "late"

    late, first = await asyncio.gather(two.checkpoint("chat", late_answer, encode=str, decode=str), early())
    assert (first, late) == ("early", "early")
    assert (one.adopted, two.adopted) == (0, 1)


def _answer(text: str) -> Callable[[], Awaitable[str]]:
    async def call() -> str:
        return text

    return call
