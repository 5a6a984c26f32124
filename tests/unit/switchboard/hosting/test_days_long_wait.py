"""A run waits days for a person and still resumes: nothing in the pause depends on a process, a lock or elapsed time.

The processor on the in-memory ports with a fake clock: an approval with a week's timeout is answered after six
days, a user proxy without a timeout after another month; only the approval's timeout was scheduled (for the
week's end), and delivered after the answer it changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from switchboard.agent import ManualClock
from switchboard.agentchat import AssistantAgent
from switchboard.agentchat.user_proxy import UserProxyAgent
from switchboard.hosting.input_reply import reply_envelope
from switchboard.hosting.memory import InMemoryHostStore
from switchboard.hosting.open_questions import oldest_question
from switchboard.hosting.processor import MessageProcessor
from switchboard.hosting.settlement import IncomingMessage, SettlementKind
from switchboard.protocol.input_messages import INPUT_MESSAGES, InputTimedOut
from switchboard.protocol.messages import TEAM_MESSAGES
from switchboard.runtime import Router
from switchboard.teams import RoundRobinGroupChat
from switchboard.termination import MaxMessageTermination
from switchboard.testing import InMemoryRunEvents
from switchboard.tools import FunctionTool
from tests.support.teams import scripted

RUN = "run-days"
START = datetime(2026, 11, 29, tzinfo=UTC)
WEEK = 7 * 24 * 3600.0


async def test_a_run_paused_for_days_resumes_on_the_answer_and_a_late_timeout_changes_nothing() -> None:
    published: list[str] = []

    def publish_note(text: str) -> str:
        """Publish the note.

        Args:
            text: The note.
        """
        published.append(text)
        return "published"

    model = scripted(
        {"writer": [{"tool_calls": [{"name": "publish_note", "arguments": {"text": "v1"}}]}, {"content": "Out."}]}
    )
    writer = AssistantAgent(
        "writer",
        model_client=model,
        tools=[FunctionTool(publish_note, approval="always", approval_timeout=WEEK)],
    )
    editor = UserProxyAgent("editor")  # no timeout: waits as long as it takes
    team = RoundRobinGroupChat([writer, editor], termination=MaxMessageTermination(3), name="desk")
    router = Router(team.agents(), extra_messages=(*TEAM_MESSAGES, *INPUT_MESSAGES))
    clock = ManualClock(START)
    store = InMemoryHostStore(now=clock.now)
    bus = InMemoryRunEvents(router)

    def host() -> MessageProcessor:
        # A fresh processor for every delivery: whichever host instance takes the answer, days later.
        return MessageProcessor(
            router=router,
            store=store,
            journal=store,
            transcript=store,
            runs=store,
            publisher=bus,
            teams={"desk": "desk"},
            clock=clock,
        )

    async def pump() -> None:
        while bus.sent:
            envelope = bus.sent.pop(0)
            assert envelope.target is not None
            message = IncomingMessage(body=envelope.to_json(), message_id=envelope.message_id, session_id=RUN)
            assert (await host().process(envelope.target, message)).kind is SettlementKind.COMPLETE

    async def answer(body: object) -> None:
        run = await store.read_run(RUN)
        assert run is not None
        bus.sent.append(reply_envelope(RUN, run, body, now=clock.now()))
        await pump()

    await host().process_task(IncomingMessage(body=json.dumps({"task": "announce"}).encode(), message_id=RUN))
    await pump()
    run = await store.read_run(RUN)
    assert run is not None
    assert (run["status"], _asked(run)["kind"]) == ("awaiting_input", "approval")
    ((timeout, due),) = bus.scheduled
    assert timeout.type == InputTimedOut.message_type
    assert due == START + timedelta(days=7)

    clock.advance(timedelta(days=6))
    await answer({"approve": True})
    assert published == ["v1"]
    run = await store.read_run(RUN)
    assert run is not None
    assert (run["status"], _asked(run)["agent"]) == ("awaiting_input", "editor")
    assert _asked(run)["deadline"] is None
    assert len(bus.scheduled) == 1  # the proxy without a timeout scheduled nothing

    clock.advance(timedelta(days=30))
    await answer({"input": "Ship it"})
    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "completed"
    entries = await store.read(RUN, 0)
    assert [(e["source"], e["content"]) for e in entries][1:] == [("writer", "Out."), ("editor", "Ship it")]

    # Service Bus hands the approval's timeout over at the week's end, long after the answer: ignored.
    clock.advance(timedelta(days=1))
    bus.sent.append(timeout)
    await pump()
    assert await store.read_run(RUN) == run
    assert published == ["v1"]


def _asked(run: Mapping[str, Any]) -> dict[str, Any]:
    question = oldest_question(run)
    assert question is not None
    return question
