"""Cosmos cost of one hop: requests and bytes written per message, at run lengths 10 and 100 turns.

A two-assistant round-robin team on a scripted model runs through `MessageProcessor` with the real
`CosmosRunStore` (azure-cosmos aio) against the Cosmos emulator started as a process; the bus is in memory, so
only Cosmos is measured. `CosmosRunStore.counter` counts the item requests on the wire. Targets: <= 3 requests per
hop; bytes per hop flat in run length (the 100-turn run's mean over the 10-turn run's, printed as a ratio).
Retention: the bytes a run keeps in Cosmos once its hop items (inbox marks, outboxes, steps) have expired by TTL
(its run document, agent state and transcript), against all it wrote (`kept_after_retention`; the items are read
before any expires, and tests/e2e/faults/test_retention.py shows the expiry itself).
It also prints the largest bus message of each run: turns name transcript ranges and answers are refs, so that stays
a few hundred bytes however long the answers (`--answer-chars 150000`) or the run.
Run: `python benchmarks/cosmos_hop_cost.py [--turns 10 100] [--window 6] [--answer-chars N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from switchboard.agentchat import AssistantAgent
from switchboard.agentchat.model_context import BufferedModelContext
from switchboard.hosting.processor import MessageProcessor
from switchboard.hosting.settings import HostingSettings
from switchboard.hosting.settlement import IncomingMessage
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.protocol import TEAM_MESSAGES
from switchboard.runtime import Router
from switchboard.state import CosmosRunStore
from switchboard.state.retention import ItemTtls
from switchboard.teams import RoundRobinGroupChat
from switchboard.termination import MaxMessageTermination
from switchboard.testing import InMemoryRunEvents

KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
REPO = Path(__file__).resolve().parents[1]


def team_router(turns: int, window: int, answer_chars: int = 240) -> Router:
    script = {
        "agents": {
            "writer": [{"content": f"draft {i}: " + "words " * (answer_chars // 6)} for i in range(turns)],
            "critic": [{"content": f"review {i}: " + "notes " * (answer_chars // 6)} for i in range(turns)],
        }
    }
    client = ScriptedModelClient(Script.model_validate(script))
    agents = [
        AssistantAgent(name, model_client=client, model_context=BufferedModelContext(window))
        for name in ("writer", "critic")
    ]
    team = RoundRobinGroupChat(agents, termination=MaxMessageTermination(1 + turns), name="team")
    return Router(team.agents(), extra_messages=TEAM_MESSAGES)


async def measure(
    endpoint: str, turns: int, window: int, answer_chars: int = 240
) -> tuple[list[int], list[int], list[int]]:
    """Run one team run of `turns` turns; per hop: Cosmos requests, bytes sent to Cosmos, bus message bytes."""
    settings = HostingSettings.model_validate(
        {"COSMOS_ENDPOINT": endpoint, "COSMOS_KEY": KEY, "COSMOS_CONTAINER": f"hops-{turns}-{answer_chars}"}
    )
    store = CosmosRunStore.from_settings(settings)
    await store.create_if_missing()
    router = team_router(turns, window, answer_chars)
    bus = InMemoryRunEvents(router)
    processor = MessageProcessor(
        router=router, store=store, journal=store, transcript=store, runs=store, publisher=bus, teams={"team": "team"}
    )
    run_id = f"run-{turns}"
    await processor.process_task(IncomingMessage(body=json.dumps({"task": "report"}).encode(), message_id=run_id))
    requests, written, messages = [], [], []
    while bus.sent:
        envelope = bus.sent.pop(0)
        messages.append(len(envelope.to_json()))
        assert envelope.target is not None
        before = store.counter.snapshot()
        settlement = await processor.process(envelope.target, IncomingMessage(envelope.to_json(), envelope.message_id))
        assert settlement.outcome == "handled", settlement
        spent = store.counter.snapshot() - before
        requests.append(spent.requests)
        written.append(spent.bytes_sent)
    run = await store.read_run(run_id)
    assert run is not None, run_id
    assert run["status"] == "completed", run
    await store.close()
    return requests, written, messages


async def _partition_bytes(store: CosmosRunStore, run_id: str) -> dict[str, int]:
    """Bytes of each item kind in the run's partition (the JSON of each item without Cosmos's system fields)."""
    sizes: dict[str, int] = {}
    async for item in store.container.query_items("SELECT * FROM c", partition_key=run_id):
        body = {k: v for k, v in item.items() if not k.startswith("_")}
        sizes[str(item["type"])] = sizes.get(str(item["type"]), 0) + len(json.dumps(body).encode())
    return sizes


async def kept_after_retention(endpoint: str, turns: int, window: int) -> dict[str, int]:
    """Run `turns` turns; the bytes of each item kind in the run's partition when it completed."""
    settings = HostingSettings.model_validate(
        {"COSMOS_ENDPOINT": endpoint, "COSMOS_KEY": KEY, "COSMOS_CONTAINER": f"kept-{turns}"}
    )
    store = CosmosRunStore.from_settings(settings)
    await store.create_if_missing()
    store.ttls = ItemTtls(hop=3600, run=None)  # nothing expires while it is measured
    router = team_router(turns, window)
    bus = InMemoryRunEvents(router)
    processor = MessageProcessor(
        router=router, store=store, journal=store, transcript=store, runs=store, publisher=bus, teams={"team": "team"}
    )
    run_id = f"kept-{turns}"
    await processor.process_task(IncomingMessage(body=json.dumps({"task": "report"}).encode(), message_id=run_id))
    while bus.sent:
        envelope = bus.sent.pop(0)
        assert envelope.target is not None
        await processor.process(envelope.target, IncomingMessage(envelope.to_json(), envelope.message_id))
    sizes = await _partition_bytes(store, run_id)
    await store.close()
    return sizes


def print_retention(endpoint: str, turns: list[int], window: int) -> None:
    """The retention section: bytes a run keeps once its hop items expired, against all it wrote."""
    hop_kinds = ("inbox", "outbox", "step")
    for length in turns:
        sizes = asyncio.run(kept_after_retention(endpoint, length, window))
        written = sum(sizes.values())
        kept = written - sum(sizes.get(kind, 0) for kind in hop_kinds)
        print(
            f"{length:>4} turns: bytes kept per run after retention {kept} of {written} written "
            f"({kept / written:.0%}; run {sizes.get('run', 0)}, state {sizes.get('state', 0)}, "
            f"entries {sizes.get('entry', 0)}); per turn kept {kept / length:.0f}"
        )


def start_emulator(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-m", "local_emulators.cosmos", "--port", str(port), "--data-dir", str(data)]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/health", timeout=1):
                return proc, f"http://127.0.0.1:{port}/"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the Cosmos emulator did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--window", type=int, default=6, help="messages each assistant keeps in its model context")
    parser.add_argument("--answer-chars", type=int, default=240, help="characters of each scripted answer")
    options = parser.parse_args()
    proc, endpoint = start_emulator(Path(tempfile.mkdtemp()) / "cosmos")
    try:
        means: dict[int, float] = {}
        for turns in options.turns:
            requests, written, messages = asyncio.run(measure(endpoint, turns, options.window, options.answer_chars))
            means[turns] = statistics.mean(written)
            print(
                f"{turns:>4} turns: {len(requests)} hops, Cosmos requests/hop mean {statistics.mean(requests):.2f} "
                f"max {max(requests)} (target <= 3); bytes written/hop mean {means[turns]:.0f} "
                f"(first 10 hops {statistics.mean(written[:10]):.0f}, last 10 {statistics.mean(written[-10:]):.0f}); "
                f"bus message bytes max {max(messages)} mean {statistics.mean(messages):.0f}"
            )
        shortest, longest = min(means), max(means)
        print(
            f"bytes/hop ratio {longest} vs {shortest} turns: {means[longest] / means[shortest]:.2f} (target: flat, ~1)"
        )
        print_retention(endpoint, options.turns, options.window)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
