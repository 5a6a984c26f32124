"""Cancelling a run that waits for a person: it ends `cancelled` at once; a later answer is refused, one that raced
in before the cancel and the scheduled timeout are completed without work, and the tool is never called."""

from __future__ import annotations

import pytest

from switchboard.hosting.input_reply import NotAwaitingInputError, reply_envelope
from tests.support.pausing_desk import RUN, START, PausingDesk


async def test_a_paused_run_cancelled_stays_cancelled_whatever_arrives_later() -> None:
    h = PausingDesk()
    await h.start()
    paused = await h.run()
    assert paused["status"] == "awaiting_input"
    raced = reply_envelope(RUN, paused, {"approve": True}, now=START)  # sent just before the cancel

    assert await h.store.request_cancel(RUN) == "cancelled"
    run = await h.run()
    assert run["status"] == "cancelled"
    with pytest.raises(NotAwaitingInputError):
        reply_envelope(RUN, run, {"approve": True}, now=START)

    ((timeout, _),) = h.bus.scheduled
    for late in (raced, timeout):
        assert (await h.deliver(late)).outcome == "run-ended"
        await h.pump()
    assert h.calls == []
    assert (await h.run())["status"] == "cancelled"
    assert h.bus.sent == []
