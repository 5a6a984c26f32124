"""What one hop costs through Service Bus, the Functions host and Cosmos DB, against the bare SDK on the same emulator.

Part 1, end to end (real processes: Service Bus and Cosmos emulators, the scripted model server, `switchboard host`
on `benchmarks/hosting_app`): K concurrent 10-turn relay runs posted to `tasks`; runs/s, and per-hop latency
p50/p99 from the envelope chain each run leaves in Cosmos (a hop = from one handler's emission to the next's).
The peers, interleaved in the same run on the same emulators, at 1 and at K concurrent: chains of bare
azure-servicebus aio send → receive → complete between two session queues (overhead = host hop / bare hop), and the
same chains also making by hand the SDK calls a hosted hop needs (a Cosmos query, an item write, a transactional batch
and a chat completion from the scripted model): host hop / that = what Switchboard's code and host add.

CPU per hop, in the same loaded rounds: the host process's CPU time (from /proc) per hop, each run's ingress hop and
session accepts included, against this process's CPU time per hop of the same-I/O chains from their first hop to their
last (opening their links is left out): what Switchboard's code and host add, counted in CPU rather than latency, so
other load on the machine does not blur it.

Part 2, the store (`benchmarks/cosmos_hop_cost.py`: the in-process `MessageProcessor` on the same Cosmos emulator,
Service Bus left out): Cosmos requests and bytes written per hop at run lengths 10 and 100 turns; bytes per hop must
stay flat as the run grows.

Part 3, with ``--telemetry``: the host again, exporting spans and metrics to the local App Insights emulator
(`APPLICATIONINSIGHTS_CONNECTION_STRING`), alternated twice with the host without telemetry; hop latency and runs/s
with / without (target ≤ 1.15×).

Run: ``python benchmarks/hosting_hop.py [--runs 8] [--rounds 5] [--telemetry]`` (about two minutes, three with
--telemetry). Targets: overhead ≤ 3×, host / same I/O p50 ≤ 1.15× at 8 concurrent, ≤ 3 Cosmos requests per hop, bytes
per hop flat in run length.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import AsyncExitStack
from datetime import datetime
from pathlib import Path

from azure.cosmos import CosmosClient
from azure.cosmos.aio import CosmosClient as AsyncCosmosClient
from azure.cosmos.exceptions import CosmosResourceNotFoundError
from azure.servicebus import ServiceBusMessage
from azure.servicebus.aio import ServiceBusClient
from openai import AsyncOpenAI

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.cosmos_hop_cost import measure as measure_store
from switchboard.cli.infra_command import servicebus_emulator_config
from switchboard.functions.entities import entities_for
from tests.emulators.cosmos.cosmos_harness import KEY as COSMOS_KEY
from tests.support.processes import free_port, port_open, start_python_module
from tests.support.stack import Stack, load_app_module, scrub_env

APP = Path(__file__).with_name("hosting_app")
BARE_QUEUES = ("bare-a", "bare-b")
TURNS = 10


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc (Linux); NaN where there is no /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    """Wait until every run's document says completed, reading each unfinished one by a point read.

    A cross-partition query on every poll would scan every item of every run so far, loading the Cosmos emulator
    during the host's rounds only.
    """
    runs = (
        CosmosClient(stack.cosmos_endpoint, COSMOS_KEY).get_database_client("switchboard").get_container_client("runs")
    )
    pending = set(run_ids)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for run_id in sorted(pending):
            try:
                status = runs.read_item(run_id, partition_key=run_id).get("status")
            except CosmosResourceNotFoundError:  # not created yet (or no database yet: the host's first invocation)
                break
            if status != "completed":
                break
            pending.discard(run_id)
        if not pending:
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


async def hosted_round(stack: Stack, runs: int) -> tuple[float, list[float], float]:
    """`hosted`, plus the host process's CPU seconds over the round (each run's ingress and session accepts too)."""
    before = cpu_seconds(stack.processes["host"].pid)
    rate, latencies = await hosted(stack, runs)
    return rate, latencies, cpu_seconds(stack.processes["host"].pid) - before


async def bare(stack: Stack, chains: int, hops: int, *, same_io: bool = False) -> tuple[float, list[float], float]:
    """`chains` concurrent bare ping-pongs of `hops` hops: send → receive → complete, alternating two queues.

    With `same_io`, each hop also does by hand the I/O a hosted hop needs — one Cosmos query, one item write, one
    transactional batch (azure-cosmos aio) and one chat completion from the scripted model (openai) — so the ratio
    against it is what Switchboard's own code and the local host add on top of the SDK calls the design requires.

    Returns:
        Chains per second, hop latencies, and this process's CPU seconds from the first hop to the last: the chains
        start together once every one has opened its links, so opening them is not counted as hop work.
    """
    latencies: list[float] = []
    io = await HopIo.open(stack) if same_io else None
    links_open = asyncio.Barrier(chains)
    cpu: dict[str, float] = {}

    async def chain(client: ServiceBusClient, session: str) -> None:
        async with AsyncExitStack() as handlers:
            receivers = [
                await handlers.enter_async_context(client.get_queue_receiver(q, session_id=session, max_wait_time=30))
                for q in BARE_QUEUES
            ]
            senders = [await handlers.enter_async_context(client.get_queue_sender(q)) for q in BARE_QUEUES]
            await links_open.wait()
            cpu.setdefault("first hop", time.process_time())
            sent_at = time.perf_counter()
            await senders[0].send_messages(ServiceBusMessage(b"0", session_id=session))
            for hop in range(hops):
                side = hop % 2
                [message] = await receivers[side].receive_messages(max_message_count=1, max_wait_time=30)
                if io is not None:
                    await io.hop(session, hop)
                await receivers[side].complete_message(message)
                now = time.perf_counter()
                latencies.append(now - sent_at)
                sent_at = now
                await senders[1 - side].send_messages(ServiceBusMessage(str(hop).encode(), session_id=session))
            [last] = await receivers[hops % 2].receive_messages(max_message_count=1, max_wait_time=30)
            await receivers[hops % 2].complete_message(last)
            cpu["last hop"] = time.process_time()

    try:
        async with ServiceBusClient.from_connection_string(stack.sb_connection) as client:
            started = time.perf_counter()
            await asyncio.gather(*(chain(client, f"chain-{i}-{uuid.uuid4().hex[:6]}") for i in range(chains)))
            elapsed = time.perf_counter() - started
    finally:
        if io is not None:
            await io.close()
    return chains / elapsed, latencies, cpu["last hop"] - cpu["first hop"]


class HopIo:
    """The SDK calls of one hosted hop, made directly: the `same_io` peer."""

    def __init__(self, cosmos: AsyncCosmosClient, model: AsyncOpenAI) -> None:
        self.cosmos = cosmos
        self.runs = cosmos.get_database_client("switchboard").get_container_client("runs")
        self.model = model

    @classmethod
    async def open(cls, stack: Stack) -> HopIo:
        return cls(
            AsyncCosmosClient(stack.cosmos_endpoint, COSMOS_KEY),
            AsyncOpenAI(base_url=f"{stack.model_url}/v1", api_key="scripted", max_retries=0),
        )

    async def hop(self, run_id: str, index: int) -> None:
        found = self.runs.query_items(
            "SELECT * FROM c WHERE c.id = @id", parameters=[{"name": "@id", "value": "state"}], partition_key=run_id
        )
        _ = [item async for item in found]
        await self.model.chat.completions.create(
            model="scripted",
            messages=[{"role": "user", "content": "relay"}],
            extra_headers={
                "x-switchboard-agent": "peer",
                "x-switchboard-run": run_id,
                "x-switchboard-step": str(index),
            },
        )
        await self.runs.upsert_item({"id": f"step:{index}", "run_id": run_id, "type": "step"})
        await self.runs.execute_item_batch(
            [
                ("upsert", ({"id": f"{kind}:{index}", "run_id": run_id, "type": kind},))
                for kind in ("inbox", "state", "outbox")
            ],
            partition_key=run_id,
        )

    async def close(self) -> None:
        await self.cosmos.close()
        await self.model.close()


def telemetry_ratio(stack: Stack, root: Path, runs: int) -> None:
    """Host hops without and with telemetry export (alternated, twice each); prints with / without."""
    port = free_port()
    insights = start_python_module(
        "local_emulators.appinsights",
        ["--host", "127.0.0.1", "--port", str(port), "--data-dir", str(root / "appinsights")],
        port=port,
        log_path=root / "appinsights.log",
        ready=lambda: port_open(port),
    )
    endpoint = f"http://127.0.0.1:{port}/"
    connection = (
        f"InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint={endpoint};LiveEndpoint={endpoint}"
    )
    hops: dict[bool, list[float]] = {False: [], True: []}
    rates: dict[bool, list[float]] = {False: [], True: []}
    try:
        for exporting in (True, False, True, False):
            stack.stop("host")
            if exporting:
                stack.extra_env["APPLICATIONINSIGHTS_CONNECTION_STRING"] = connection
            else:
                stack.extra_env.pop("APPLICATIONINSIGHTS_CONNECTION_STRING", None)
            stack.start_host()
            asyncio.run(hosted(stack, 2))  # warm-up
            rate, latencies = asyncio.run(hosted(stack, runs))
            rates[exporting].append(rate)
            hops[exporting].extend(latencies)
        with urllib.request.urlopen(f"{endpoint}health", timeout=10) as response:
            stored = json.loads(response.read())["items"]
    finally:
        insights.stop()
    print()
    print(f"telemetry: {len(hops[True])} hops exported ({stored} App Insights items stored), {len(hops[False])} not")
    print(f"{'':28}{'p50 ms':>10}{'p99 ms':>10}{'runs/s':>10}")
    for exporting in (False, True):
        label = "host with telemetry" if exporting else "host without telemetry"
        p50, p99 = percentile(hops[exporting], 0.5), percentile(hops[exporting], 0.99)
        print(f"{label:28}{p50 * 1e3:>10.1f}{p99 * 1e3:>10.1f}{statistics.mean(rates[exporting]):>10.2f}")
    ratio50 = percentile(hops[True], 0.5) / percentile(hops[False], 0.5)
    ratio99 = percentile(hops[True], 0.99) / percentile(hops[False], 0.99)
    throughput = statistics.mean(rates[False]) / statistics.mean(rates[True])
    print(f"telemetry overhead (with / without): hop p50 {ratio50:.2f}x, p99 {ratio99:.2f}x, time per run", end=" ")
    print(f"{throughput:.2f}x (target <= 1.15x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=8, help="concurrent runs (and bare chains) in the loaded round")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved host/bare rounds per concurrency")
    parser.add_argument("--telemetry", action="store_true", help="also: the host with vs without telemetry export")
    args = parser.parse_args()
    scrub_env()
    results: dict[int, dict[str, list[float]]] = {}
    rates: dict[int, dict[str, list[float]]] = {}
    cpu = {"host": 0.0, "same I/O": 0.0}  # CPU seconds spent on the loaded rounds' hops
    loaded_hops = {"host": 0, "same I/O": 0}
    with tempfile.TemporaryDirectory() as tmp:
        stack = stack_for(Path(tmp))
        stack.start_all()
        try:
            asyncio.run(hosted(stack, 2))  # warm-up: senders, sessions, first-call imports
            for runs in (1, args.runs):
                results[runs] = {"host": [], "bare": [], "same I/O": []}
                rates[runs] = {"host": [], "bare": [], "same I/O": []}
                for _ in range(args.rounds):  # interleaved, so all sides see the same machine noise
                    contenders = (
                        ("host", hosted_round(stack, runs)),
                        ("bare", bare(stack, runs, 2 * TURNS + 1)),
                        ("same I/O", bare(stack, runs, 2 * TURNS + 1, same_io=True)),
                    )
                    for side, measure in contenders:
                        rate, hops, spent = asyncio.run(measure)
                        if runs == args.runs and side != "bare":
                            cpu[side] += spent
                            loaded_hops[side] += runs * (2 * TURNS + 1)
                        results[runs][side] += hops
                        rates[runs][side].append(rate)
            costs = {turns: asyncio.run(measure_store(stack.cosmos_endpoint, turns, 6)) for turns in (10, 100)}
            if args.telemetry:
                telemetry_ratio(stack, Path(tmp), args.runs)
        finally:
            stack.stop_all()
    print(
        f"{TURNS}-turn relay runs through host and emulators vs bare send/receive/complete chains, "
        f"{args.rounds} interleaved rounds each"
    )
    print(f"{'':34}{'hops':>6}{'p50 ms':>9}{'p99 ms':>9}{'runs/s':>8}")
    for runs, sides in results.items():
        for side, hops in sides.items():
            label = f"{runs} concurrent, " + {"host": "host", "bare": "bare SB", "same I/O": "bare, same I/O"}[side]
            rate = statistics.median(rates[runs][side])
            print(
                f"{label:34}{len(hops):>6}{percentile(hops, 0.5) * 1e3:>9.1f}{percentile(hops, 0.99) * 1e3:>9.1f}"
                f"{rate:>8.2f}"
            )
        host = sides["host"]
        meanings = (("bare", "target <= 3x"), ("same I/O", "what Switchboard adds; target <= 1.15x at 8"))
        for name, meaning in meanings:
            peer = sides[name]
            print(
                f"{'':2}host / {name} at {runs} concurrent: p50 {percentile(host, 0.5) / percentile(peer, 0.5):.2f}x, "
                f"p99 {percentile(host, 0.99) / percentile(peer, 0.99):.2f}x   ({meaning})"
            )
    host_cpu, peer_cpu = (cpu[side] / loaded_hops[side] * 1e3 for side in ("host", "same I/O"))
    print(
        f"CPU per hop at {args.runs} concurrent: host process {host_cpu:.2f} ms (each run's ingress and session "
        f"accepts included), same I/O by hand {peer_cpu:.2f} ms (hops only, link set-up excluded): "
        f"host / same I/O {host_cpu / peer_cpu:.2f}x"
    )
    print()
    print(f"{'Cosmos per hop (store only)':28}{'mean req':>10}{'max req':>9}{'bytes':>10}")
    for turns, (requests, written, _messages) in costs.items():
        print(
            f"{f'{turns}-turn run':28}{statistics.mean(requests):>10.2f}{max(requests):>9}"
            f"{statistics.mean(written):>10.0f}"
        )
    growth = statistics.mean(costs[100][1]) / statistics.mean(costs[10][1])
    print(f"bytes per hop, 100-turn / 10-turn run: {growth:.2f}x (target: flat); requests per hop target <= 3")


if __name__ == "__main__":
    main()
