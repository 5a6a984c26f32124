"""A hosted run that asks a person, on the in-memory hosting ports: an approval-gated tool and a user proxy.

`PausingDesk` drives a `MessageProcessor` by hand (deliver, pump, answer) so tests can stop between hops.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from switchboard.agent import CancellationToken, ManualClock
from switchboard.agentchat import AssistantAgent
from switchboard.agentchat.user_proxy import UserProxyAgent
from switchboard.hosting.input_reply import reply_envelope
from switchboard.hosting.memory import InMemoryHostStore
from switchboard.hosting.processor import MessageProcessor
from switchboard.hosting.settlement import IncomingMessage, Settlement
from switchboard.messages import Envelope
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.protocol.input_messages import INPUT_MESSAGES
from switchboard.protocol.messages import TEAM_MESSAGES
from switchboard.runtime import Router
from switchboard.teams import RoundRobinGroupChat
from switchboard.termination import MaxMessageTermination
from switchboard.testing import InMemoryRunEvents
from switchboard.tools import FunctionTool

RUN = "run-h"
START = datetime(2026, 11, 29, tzinfo=UTC)


class PausingDesk:
    """A writer whose tool needs approval and an editor (user proxy), hosted on in-memory ports."""

    def __init__(self, *, tool_blocks: bool = False, proxy_timeout_reply: str | None = None) -> None:
        self.calls: list[str] = []
        self.saw_cancel = asyncio.Event()
        self.tool_started = asyncio.Event()

        async def publish_note(text: str, cancellation_token: CancellationToken) -> str:
            """Publish the note.

            Args:
                text: The note.
            """
            self.calls.append(text)
            self.tool_started.set()
            if tool_blocks:
                cancellation_token.add_callback(self.saw_cancel.set)
                await asyncio.sleep(60)
            return f"published {text!r}"

        script = {
            "agents": {
                "writer": [
                    {"tool_calls": [{"name": "publish_note", "arguments": {"text": "v1"}}]},
                    {"content": "The note is out."},
                ]
            }
        }
        model = ScriptedModelClient(Script.model_validate(script))
        tool = FunctionTool(publish_note, approval="always", approval_timeout=60)
        writer = AssistantAgent("writer", model_client=model, tools=[tool])
        editor = UserProxyAgent("editor", timeout=120, timeout_reply=proxy_timeout_reply)
        team = RoundRobinGroupChat([writer, editor], termination=MaxMessageTermination(3), name="desk")
        self.router = Router(team.agents(), extra_messages=(*TEAM_MESSAGES, *INPUT_MESSAGES))
        self.clock = ManualClock(START)
        self.store = InMemoryHostStore(now=self.clock.now)
        self.bus = InMemoryRunEvents(self.router)
        self.processor = MessageProcessor(
            router=self.router,
            store=self.store,
            journal=self.store,
            transcript=self.store,
            runs=self.store,
            publisher=self.bus,
            teams={"desk": "desk"},
            clock=self.clock,
            cancel_poll_seconds=0.01,
        )

    async def start(self) -> None:
        await self.processor.process_task(
            IncomingMessage(body=json.dumps({"task": "announce"}).encode(), message_id=RUN)
        )
        await self.pump()

    async def deliver(self, envelope: Envelope) -> Settlement:
        assert envelope.target is not None
        message = IncomingMessage(body=envelope.to_json(), message_id=envelope.message_id, session_id=RUN)
        return await self.processor.process(envelope.target, message)

    async def pump(self) -> list[Settlement]:
        settled = []
        while self.bus.sent:
            settled.append(await self.deliver(self.bus.sent.pop(0)))
        return settled

    async def answer(self, body: object) -> None:
        run = await self.store.read_run(RUN)
        assert run is not None
        self.bus.sent.append(reply_envelope(RUN, run, body, now=self.clock.now()))
        await self.pump()

    async def run(self) -> dict[str, object]:
        run = await self.store.read_run(RUN)
        assert run is not None
        return dict(run)
