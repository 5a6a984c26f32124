"""The processor with a GraphFlow fan-out whose two branches both ask, on the in-memory ports (no I/O).

Both questions are open at once; each answer resumes only its branch; the run is announced `running` once, when
the last question is answered; a timeout denies only its own branch's call.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from switchboard.agent import ManualClock
from switchboard.agentchat import AssistantAgent
from switchboard.hosting.input_reply import reply_envelope
from switchboard.hosting.memory import InMemoryHostStore
from switchboard.hosting.open_questions import open_questions
from switchboard.hosting.processor import MessageProcessor
from switchboard.hosting.settlement import IncomingMessage, SettlementKind
from switchboard.messages import Envelope
from switchboard.protocol.input_messages import INPUT_MESSAGES
from switchboard.protocol.messages import TEAM_MESSAGES
from switchboard.runtime import Router
from switchboard.teams import DiGraphBuilder, GraphFlow
from switchboard.testing import InMemoryRunEvents
from switchboard.tools import FunctionTool
from tests.support.teams import scripted

RUN = "run-fan"
START = datetime(2026, 12, 7, tzinfo=UTC)


class Gates:
    """lead → (left, right: each `ship` call needs approval; left's times out after 60 s) → judge."""

    def __init__(self) -> None:
        self.shipped: list[str] = []

        def ship(part: str) -> str:
            """Ship a part.

            Args:
                part: Which part.
            """
            self.shipped.append(part)
            return f"shipped {part}"

        def branch(name: str) -> list[dict[str, object]]:
            return [{"tool_calls": [{"name": "ship", "arguments": {"part": name}}]}, {"content": f"{name} done"}]

        model = scripted({"lead": [{"content": "go"}], "left": branch("left"), "right": branch("right"),
                          "judge": [{"content": "verdict"}]})  # fmt: skip
        lead, judge = (AssistantAgent(name, model_client=model) for name in ("lead", "judge"))
        left = AssistantAgent(
            "left", model_client=model, tools=[FunctionTool(ship, approval="always", approval_timeout=60)]
        )
        right = AssistantAgent("right", model_client=model, tools=[FunctionTool(ship, approval="always")])
        builder = DiGraphBuilder().add_node(lead).add_node(left).add_node(right).add_node(judge)
        builder.add_edge(lead, left).add_edge(lead, right).add_edge(left, judge).add_edge(right, judge)
        team = GraphFlow(builder.get_participants(), graph=builder.build(), name="gates")
        self.router = Router(team.agents(), extra_messages=(*TEAM_MESSAGES, *INPUT_MESSAGES))
        self.clock = ManualClock(START)
        self.store = InMemoryHostStore(now=self.clock.now)
        self.bus = InMemoryRunEvents(self.router)

    def host(self) -> MessageProcessor:
        return MessageProcessor(
            router=self.router,
            store=self.store,
            journal=self.store,
            transcript=self.store,
            runs=self.store,
            publisher=self.bus,
            teams={"gates": "gates"},
            clock=self.clock,
        )

    async def deliver(self, envelope: Envelope) -> None:
        assert envelope.target is not None
        message = IncomingMessage(body=envelope.to_json(), message_id=envelope.message_id, session_id=RUN)
        assert (await self.host().process(envelope.target, message)).kind is SettlementKind.COMPLETE

    async def pump(self) -> None:
        while self.bus.sent:
            await self.deliver(self.bus.sent.pop(0))

    async def start(self) -> None:
        task = IncomingMessage(body=json.dumps({"task": "ship"}).encode(), message_id=RUN)
        await self.host().process_task(task)
        await self.pump()

    async def questions(self) -> dict[str, str]:
        """Agent → request id of each open question."""
        run = await self.store.read_run(RUN)
        return {str(q["agent"]): request_id for request_id, q in open_questions(run).items()}

    async def status(self) -> str:
        run = await self.store.read_run(RUN)
        assert run is not None
        return str(run["status"])

    async def answer(self, request_id: str, approve: bool) -> None:
        run = await self.store.read_run(RUN)
        assert run is not None
        self.bus.sent.append(reply_envelope(RUN, run, {"approve": approve, "request_id": request_id}, now=START))
        await self.pump()


async def test_both_branches_ask_and_the_run_resumes_once_the_last_is_answered() -> None:
    gates = Gates()
    await gates.start()
    asked = await gates.questions()
    assert set(asked) == {"left", "right"}
    assert await gates.status() == "awaiting_input"
    assert gates.bus.statuses == ["queued", "running", "awaiting_input", "awaiting_input"]

    await gates.answer(asked["right"], True)
    assert gates.shipped == ["right"]
    assert await gates.questions() == {"left": asked["left"]}
    assert await gates.status() == "awaiting_input"  # left still asks
    assert "completed" not in gates.bus.statuses

    await gates.answer(asked["left"], True)
    assert gates.shipped == ["right", "left"]
    assert await gates.status() == "completed"
    assert gates.bus.statuses[-2:] == ["running", "completed"]
    assert gates.bus.statuses.count("running") == 2  # the start, and the last answer: not one per answer
    entries = await gates.store.read(RUN, 0)
    assert [e["source"] for e in entries] == ["user", "lead", "right", "left", "judge"]


async def test_one_branch_times_out_and_the_other_question_stays_open() -> None:
    gates = Gates()
    await gates.start()
    asked = await gates.questions()
    ((timeout, at),) = gates.bus.scheduled  # only left's question has a timeout
    assert (timeout.target, timeout.payload["request_id"]) == ("left", asked["left"])
    assert at == START + timedelta(seconds=60)

    await gates.deliver(timeout)
    await gates.pump()
    assert gates.shipped == []  # denied
    assert await gates.questions() == {"right": asked["right"]}
    assert await gates.status() == "awaiting_input"

    await gates.answer(asked["right"], True)
    assert gates.shipped == ["right"]
    assert await gates.status() == "completed"
