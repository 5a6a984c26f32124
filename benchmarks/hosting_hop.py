"""What one hop costs through Service Bus, the Functions host and Cosmos DB, against the bare SDK on the same emulator.

Part 1, end to end (real processes: Service Bus and Cosmos emulators, the scripted model server, `switchboard host`
on `benchmarks/hosting_app`): K concurrent 10-turn relay runs posted to `tasks`; runs/s, and per-hop latency
p50/p99 from the envelope chain each run leaves in Cosmos (a hop = from one handler's emission to the next's).
The peer, in the same run on the same emulator: K chains of bare azure-servicebus aio send → receive → complete
between two session queues, its per-hop latency measured the same way. Overhead = host hop / bare hop.

Part 2, the store (`benchmarks/cosmos_hop_cost.py`: the in-process `MessageProcessor` on the same Cosmos emulator,
Service Bus left out): Cosmos requests and bytes written per hop at run lengths 10 and 100 turns; bytes per hop must
stay flat as the run grows.

Run: ``python benchmarks/hosting_hop.py [--runs 8]`` (about a minute). Targets: overhead ≤ 3×, ≤ 3 Cosmos requests
per hop, bytes per hop flat in run length.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import AsyncExitStack
from datetime import datetime
from pathlib import Path

from azure.cosmos import CosmosClient
from azure.servicebus import ServiceBusMessage
from azure.servicebus.aio import ServiceBusClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.cosmos_hop_cost import measure
from switchboard.cli.infra_command import servicebus_emulator_config
from switchboard.hosting.entities import entities_for
from tests.emulators.cosmos.cosmos_harness import KEY as COSMOS_KEY
from tests.support.stack import Stack, load_app_module, scrub_env

APP = Path(__file__).with_name("hosting_app")
BARE_QUEUES = ("bare-a", "bare-b")
TURNS = 10


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def write_script(path: Path) -> Path:
    """Every agent answers each of its (up to 100) turns with a short line."""
    path.write_text(json.dumps({"agents": {"*": [{"content": f"hop {i}"} for i in range(101)]}}))
    return path


def stack_for(root: Path) -> Stack:
    module = load_app_module(APP / "function_app.py")
    config = servicebus_emulator_config(entities_for(module.TEAMS))
    queues = config["UserConfig"]["Namespaces"][0]["Queues"]
    queues += [{"Name": name, "Properties": {"RequiresSession": True}} for name in BARE_QUEUES]
    (root / "servicebus.json").write_text(json.dumps(config))
    return Stack(
        root=root,
        script_root=APP,
        model_script=write_script(root / "script.json"),
        servicebus_config=root / "servicebus.json",
    )


def hop_latencies(stack: Stack, run_ids: list[str]) -> list[float]:
    """Per-hop seconds from the outbox envelopes of each run (emission of a message → emission of its effect)."""
    container = CosmosClient(stack.cosmos_endpoint, COSMOS_KEY).get_database_client("switchboard")
    runs = container.get_container_client("runs")
    latencies: list[float] = []
    for run_id in run_ids:
        envelopes = [
            e
            for item in runs.query_items("SELECT c.envelopes FROM c WHERE c.type = 'outbox'", partition_key=run_id)
            for e in item["envelopes"]
        ]
        created = {e["message_id"]: datetime.fromisoformat(e["created_at"]) for e in envelopes}
        for envelope in envelopes:
            cause = created.get(envelope.get("causation_id") or "")
            if cause is not None:
                latencies.append((datetime.fromisoformat(envelope["created_at"]) - cause).total_seconds())
    return latencies


def wait_completed(stack: Stack, run_ids: list[str], timeout: float = 300) -> None:
    runs = (
        CosmosClient(stack.cosmos_endpoint, COSMOS_KEY).get_database_client("switchboard").get_container_client("runs")
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = {
            i["id"]
            for i in runs.query_items(
                "SELECT c.id FROM c WHERE c.type = 'run' AND c.status = 'completed'", enable_cross_partition_query=True
            )
        }
        if set(run_ids) <= done:
            return
        time.sleep(0.2)
    raise RuntimeError(f"runs did not complete:\n{stack.logs()}")


async def hosted(stack: Stack, runs: int) -> tuple[float, list[float]]:
    """Post `runs` 10-turn runs at once; (runs/s, hop latencies)."""
    run_ids = [str(uuid.uuid4()) for _ in range(runs)]
    async with (
        ServiceBusClient.from_connection_string(stack.sb_connection) as client,
        client.get_queue_sender("tasks") as sender,
    ):
        started = time.perf_counter()
        await sender.send_messages(
            [
                ServiceBusMessage(json.dumps({"task": "relay", "team": f"relay{TURNS}"}), message_id=run_id)
                for run_id in run_ids
            ]
        )
    await asyncio.to_thread(wait_completed, stack, run_ids)
    elapsed = time.perf_counter() - started
    return runs / elapsed, hop_latencies(stack, run_ids)


async def bare(stack: Stack, chains: int, hops: int) -> tuple[float, list[float]]:
    """`chains` concurrent bare ping-pongs of `hops` hops: send → receive → complete, alternating two queues."""
    latencies: list[float] = []

    async def chain(client: ServiceBusClient, session: str) -> None:
        async with AsyncExitStack() as handlers:
            receivers = [
                await handlers.enter_async_context(client.get_queue_receiver(q, session_id=session, max_wait_time=30))
                for q in BARE_QUEUES
            ]
            senders = [await handlers.enter_async_context(client.get_queue_sender(q)) for q in BARE_QUEUES]
            sent_at = time.perf_counter()
            await senders[0].send_messages(ServiceBusMessage(b"0", session_id=session))
            for hop in range(hops):
                side = hop % 2
                [message] = await receivers[side].receive_messages(max_message_count=1, max_wait_time=30)
                await receivers[side].complete_message(message)
                now = time.perf_counter()
                latencies.append(now - sent_at)
                sent_at = now
                await senders[1 - side].send_messages(ServiceBusMessage(str(hop).encode(), session_id=session))
            [last] = await receivers[hops % 2].receive_messages(max_message_count=1, max_wait_time=30)
            await receivers[hops % 2].complete_message(last)

    async with ServiceBusClient.from_connection_string(stack.sb_connection) as client:
        started = time.perf_counter()
        await asyncio.gather(*(chain(client, f"chain-{i}-{uuid.uuid4().hex[:6]}") for i in range(chains)))
        elapsed = time.perf_counter() - started
    return chains / elapsed, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=8, help="concurrent runs (and bare chains)")
    args = parser.parse_args()
    scrub_env()
    with tempfile.TemporaryDirectory() as tmp:
        stack = stack_for(Path(tmp))
        stack.start_all()
        try:
            asyncio.run(hosted(stack, 2))  # warm-up: senders, sessions, first-call imports
            host_rate, host_hops = asyncio.run(hosted(stack, args.runs))
            bare_rate, bare_hops = asyncio.run(bare(stack, args.runs, 2 * TURNS + 1))
            costs = {turns: asyncio.run(measure(stack.cosmos_endpoint, turns, 6)) for turns in (10, 100)}
        finally:
            stack.stop_all()
    hp50, hp99 = percentile(host_hops, 0.5), percentile(host_hops, 0.99)
    bp50, bp99 = percentile(bare_hops, 0.5), percentile(bare_hops, 0.99)
    print(f"end to end: {args.runs} concurrent {TURNS}-turn runs, {len(host_hops)} hops; bare: {len(bare_hops)} hops")
    print(f"{'':28}{'p50 ms':>10}{'p99 ms':>10}{'chains/s':>10}")
    print(f"{'host (SB + Functions + Cosmos)':28}{hp50 * 1e3:>10.1f}{hp99 * 1e3:>10.1f}{host_rate:>10.2f}")
    print(f"{'bare SDK send/receive/complete':28}{bp50 * 1e3:>10.1f}{bp99 * 1e3:>10.1f}{bare_rate:>10.2f}")
    print(f"overhead (host / bare): p50 {hp50 / bp50:.2f}x, p99 {hp99 / bp99:.2f}x   (target <= 3x)")
    print()
    print(f"{'Cosmos per hop (store only)':28}{'mean req':>10}{'max req':>9}{'bytes':>10}")
    for turns, (requests, written) in costs.items():
        print(
            f"{f'{turns}-turn run':28}{statistics.mean(requests):>10.2f}{max(requests):>9}"
            f"{statistics.mean(written):>10.0f}"
        )
    growth = statistics.mean(costs[100][1]) / statistics.mean(costs[10][1])
    print(f"bytes per hop, 100-turn / 10-turn run: {growth:.2f}x (target: flat); requests per hop target <= 3")


if __name__ == "__main__":
    main()
