"""One racing instance: `python -m tests.support.race_instance AGENT IN.json OUT.json` in its own process.

It builds the hosted runtime of `tests/support/race_team.py` exactly as a Function App process does (Cosmos through
azure-cosmos, Service Bus through azure-servicebus, the model through openai, all from the settings in the
environment), opens its clients, waits at a file barrier until its peer is ready too, and processes the message in
IN.json (a copy of one Service Bus delivery: `body`, `message_id`, `session_id`). OUT.json gets the settlement and
the outbox this instance tried to commit, so the test can compare what both computed.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from switchboard.functions.runtime import HostedRuntime
from switchboard.hosting.ports import HopStore
from switchboard.hosting.settlement import IncomingMessage
from switchboard.messages import Envelope
from switchboard.runtime.protocols import Commit, StoredState
from tests.support.race_team import TEAMS

READY_SECONDS = 60.0


class TriedCommits:
    """The processor's store, keeping the outbox of the commit this instance tried (won or lost)."""

    def __init__(self, store: HopStore) -> None:
        self._store = store
        self.tried: list[list[dict[str, Any]]] = []

    async def load(self, agent: str, run_id: str) -> StoredState | None:
        return await self._store.load(agent, run_id)

    async def commit(self, commit: Commit) -> str:
        self.tried.append([envelope.model_dump(mode="json") for envelope in commit.outgoing])
        return await self._store.commit(commit)

    async def outbox(self, agent: str, run_id: str, message_id: str) -> tuple[Envelope, ...] | None:
        return await self._store.outbox(agent, run_id, message_id)


def _peers_ready(folder: Path, name: str) -> None:
    """Say this instance is ready and wait for the other one (blocking: run in a thread)."""
    (folder / f"ready-{name}").touch()
    deadline = time.monotonic() + READY_SECONDS
    while len(list(folder.glob("ready-*"))) < 2:
        if time.monotonic() > deadline:
            raise TimeoutError("the other instance never got ready")
        time.sleep(0.01)


async def race(agent: str, incoming: IncomingMessage, folder: Path, name: str) -> dict[str, Any]:
    """Open the runtime's clients, meet the peer, process `incoming`; return the settlement and the tried outbox."""
    runtime = HostedRuntime(TEAMS)
    try:
        processor = await runtime.processor()
        tried = TriedCommits(processor.store)
        processor.store = tried
        # Both instances start handling the message together (process start-up times differ by seconds).
        await asyncio.to_thread(_peers_ready, folder, name)
        settlement = await processor.process(agent, incoming)
        return {
            "kind": settlement.kind.value,
            "outcome": settlement.outcome,
            "reason": settlement.reason,
            "description": settlement.description,
            "tried": tried.tried,
        }
    finally:
        await runtime.close()


def main(agent: str, incoming_path: Path, out_path: Path) -> None:
    """Race on the delivery copied in `incoming_path`; write the result to `out_path`."""
    copy = json.loads(incoming_path.read_text())
    incoming = IncomingMessage(
        body=copy["body"].encode(), message_id=copy["message_id"], session_id=copy["session_id"], delivery_count=2
    )
    result = asyncio.run(race(agent, incoming, Path(os.environ["RACE_DIR"]), os.environ["RACE_INSTANCE"]))
    out_path.write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
