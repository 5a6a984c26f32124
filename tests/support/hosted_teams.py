"""Teams through the hosted `MessageProcessor` on the in-memory hosting ports, with Service Bus's concurrency.

The pump plays one session-enabled queue per agent: messages for different agents are processed concurrently,
messages for one agent one after another (a session is handled by one receiver at a time).
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from typing import Any

from switchboard.hosting.memory import InMemoryHostStore
from switchboard.hosting.processor import MessageProcessor
from switchboard.hosting.settlement import IncomingMessage, SettlementKind
from switchboard.messages import Envelope
from switchboard.protocol import TEAM_MESSAGES
from switchboard.runtime import Router
from switchboard.testing import InMemoryRunEvents

RUN = "run-hosted"


async def run_hosted(
    team: Any, task: str = "split", *, store: InMemoryHostStore | None = None, waves: int = 50
) -> tuple[InMemoryHostStore, InMemoryRunEvents]:
    """Run `task` through a processor for `team`'s agents until no message is left; returns the store and bus.

    `store` may be given to watch it; `waves` bounds the rounds of deliveries (a run that needs more fails).
    """
    router = Router(team.agents(), extra_messages=TEAM_MESSAGES)
    store = store or InMemoryHostStore()
    bus = InMemoryRunEvents(router)
    processor = MessageProcessor(
        router=router,
        store=store,
        journal=store,
        transcript=store,
        runs=store,
        publisher=bus,
        teams={team.name: team.name},
    )
    await processor.process_task(IncomingMessage(body=json.dumps({"task": task}).encode(), message_id=RUN))
    for _ in range(waves):
        batch, bus.sent = bus.sent, []
        if not batch:
            return store, bus
        queues: dict[str, list[Envelope]] = defaultdict(list)
        for envelope in batch:
            assert envelope.target is not None
            queues[envelope.target].append(envelope)

        async def drain(agent: str, envelopes: list[Envelope]) -> None:
            for envelope in envelopes:
                incoming = IncomingMessage(body=envelope.to_json(), message_id=envelope.message_id, session_id=RUN)
                settlement = await processor.process(agent, incoming)
                assert settlement.kind is SettlementKind.COMPLETE, settlement

        await asyncio.gather(*(drain(agent, envelopes) for agent, envelopes in queues.items()))
    raise AssertionError("the run did not settle")
