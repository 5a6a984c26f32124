"""The processor's human-in-the-loop and cancellation logic on the in-memory ports (no I/O).

A run pauses (`awaiting_input`, the question on the run document, nothing held), resumes on an `InputProvided`
message, and a scheduled `InputTimedOut` denies an approval or stops the run — ignored when the answer came first.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from switchboard.hosting.input_reply import InputReplyError, NotAwaitingInputError, reply_envelope
from switchboard.hosting.open_questions import oldest_question
from switchboard.protocol.input_messages import InputTimedOut
from tests.support.pausing_desk import RUN, START, PausingDesk


async def test_an_approval_pauses_the_run_holds_nothing_and_resumes_on_the_answer() -> None:
    h = PausingDesk()
    await h.start()
    run = await h.run()
    assert run["status"] == "awaiting_input"
    pending = oldest_question(run)
    assert isinstance(pending, dict)
    assert (pending["kind"], pending["agent"], pending["tool"]) == ("approval", "writer", "publish_note")
    assert json.loads(pending["arguments"]) == {"text": "v1"}
    assert h.calls == []  # the tool waits for the decision
    assert h.bus.sent == []  # every handler completed: nothing is in flight
    ((timeout, at),) = h.bus.scheduled
    assert timeout.type == InputTimedOut.message_type
    assert timeout.target == "writer"
    assert at == START + timedelta(seconds=60)
    assert h.bus.statuses == ["queued", "running", "awaiting_input"]

    await h.answer({"approve": True})
    assert h.calls == ["v1"]
    run = await h.run()
    # Now the user proxy asks its question.
    assert run["status"] == "awaiting_input"
    asked = oldest_question(run)
    assert asked is not None
    assert (asked["kind"], asked["agent"]) == ("input", "editor")
    await h.answer({"input": "Ship it"})
    run = await h.run()
    assert run["status"] == "completed"
    entries = await h.store.read(RUN, 0)
    assert [(e["source"], e["content"]) for e in entries][1:] == [("writer", "The note is out."), ("editor", "Ship it")]
    assert h.bus.statuses[-4:] == ["running", "awaiting_input", "running", "completed"]


async def test_the_approval_timeout_denies_the_call_and_a_late_answer_is_ignored() -> None:
    h = PausingDesk()
    await h.start()
    ((timeout, _),) = h.bus.scheduled
    assert (await h.deliver(timeout)).outcome == "handled"
    await h.pump()
    assert h.calls == []  # denied: never called
    run = await h.run()
    assert (oldest_question(run) or {}).get("agent") == "editor"
    # The writer's model saw the denial as the tool's (error) result.
    writer_state = await h.store.load("writer", RUN)
    assert writer_state is not None
    history = json.dumps(writer_state.data["history"])
    assert "The note is out." in history
    # The same timeout delivered again (a redelivery after the run moved on) changes nothing.
    before = await h.run()
    await h.deliver(timeout)
    await h.pump()
    assert await h.run() == before


async def test_a_timeout_after_the_answer_is_ignored() -> None:
    h = PausingDesk()
    await h.start()
    ((timeout, _),) = h.bus.scheduled
    await h.answer({"approve": True})
    before = await h.run()
    events = list(h.bus.statuses)
    await h.deliver(timeout)
    assert await h.run() == before  # still waiting for the editor, with the editor's question
    assert h.bus.statuses == events
    assert h.calls == ["v1"]


async def test_a_user_proxy_timeout_stops_the_run_as_cancelled() -> None:
    h = PausingDesk()
    await h.start()
    await h.answer({"approve": True})
    proxy_timeout = h.bus.scheduled[-1][0]
    assert proxy_timeout.target == "editor"
    await h.deliver(proxy_timeout)
    await h.pump()
    run = await h.run()
    assert run["status"] == "cancelled"
    assert run["stop_reason"] == "no input from editor within 120 s"
    assert h.bus.statuses[-1] == "cancelled"


async def test_a_user_proxy_timeout_with_a_default_reply_answers_for_the_person() -> None:
    h = PausingDesk(proxy_timeout_reply="(no objection)")
    await h.start()
    await h.answer({"approve": False})
    assert h.calls == []
    await h.deliver(h.bus.scheduled[-1][0])
    await h.pump()
    run = await h.run()
    assert run["status"] == "completed"
    entries = await h.store.read(RUN, 0)
    assert entries[-1]["content"] == "(no objection)"


async def test_replies_that_do_not_fit_are_refused() -> None:
    h = PausingDesk()
    await h.start()
    run = await h.run()
    with pytest.raises(InputReplyError):
        reply_envelope(RUN, run, {"input": "yes"}, now=START)  # an approval wants approve
    with pytest.raises(InputReplyError):
        reply_envelope(RUN, run, ["approve"], now=START)
    with pytest.raises(NotAwaitingInputError):
        reply_envelope(RUN, run, {"approve": True, "request_id": "another"}, now=START)
    with pytest.raises(NotAwaitingInputError):
        reply_envelope(RUN, {**run, "status": "running"}, {"approve": True}, now=START)
    # Two answers to one question share a message id: the broker keeps the first.
    first = reply_envelope(RUN, run, {"approve": True}, now=START)
    second = reply_envelope(RUN, run, {"approve": False}, now=START)
    assert first.message_id == second.message_id


async def test_a_cancel_reaches_a_running_tool_and_the_message_completes_without_work() -> None:
    h = PausingDesk(tool_blocks=True)
    await h.start()
    run = await h.run()
    approval = reply_envelope(RUN, run, {"approve": True}, now=START)
    working = asyncio.ensure_future(h.deliver(approval))
    await asyncio.wait_for(h.tool_started.wait(), 5)
    assert await h.store.request_cancel(RUN) == "cancelled"
    settlement = await asyncio.wait_for(working, 5)
    assert h.saw_cancel.is_set()
    assert settlement.outcome == "cancelled"
    assert (await h.run())["status"] == "cancelled"
    assert h.bus.sent == []
