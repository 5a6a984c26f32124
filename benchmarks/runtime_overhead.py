"""Ping-pong between two agents, no I/O: Switchboard's in-process runtime against autogen-core's.

Each framework runs in its own fresh subprocess (so imports and memory do not mix), several times, and the median
is reported. Run: `python benchmarks/runtime_overhead.py [--messages 20000] [--repeats 3]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

SWITCHBOARD_WORKLOAD = """
import asyncio, time, resource, tracemalloc, json, sys
from switchboard.messages import Message
from switchboard.agent import Agent, AgentContext, AgentState
from switchboard.runtime import InProcessRuntime

N = int(sys.argv[1])

class Ping(Message):
    n: int

class Pong(Message):
    n: int

class Tally(AgentState):
    count: int = 0

class Pinger(Agent[Tally]):
    async def handle(self, message: Pong, ctx: AgentContext[Tally]) -> None:
        ctx.state.count += 1
        if message.n < N:
            ctx.publish(Ping(n=message.n + 1))

class Ponger(Agent[Tally]):
    async def handle(self, message: Ping, ctx: AgentContext[Tally]) -> None:
        ctx.state.count += 1
        ctx.publish(Pong(n=message.n + 1))

async def once() -> int:
    runtime = InProcessRuntime([Pinger("pinger"), Ponger("ponger")])
    runtime.publish(Ping(n=1), run_id="bench")
    return await runtime.run_until_idle()

"""

AUTOGEN_WORKLOAD = """
import asyncio, time, resource, tracemalloc, json, sys
from dataclasses import dataclass
from autogen_core import (MessageContext, RoutedAgent, SingleThreadedAgentRuntime, TopicId, TypeSubscription,
                          message_handler)

N = int(sys.argv[1])
handled = 0

@dataclass
class Ping:
    n: int

@dataclass
class Pong:
    n: int

class Pinger(RoutedAgent):
    def __init__(self) -> None:
        super().__init__("pinger")

    @message_handler
    async def on_pong(self, message: Pong, ctx: MessageContext) -> None:
        global handled
        handled += 1
        if message.n < N:
            await self.publish_message(Ping(n=message.n + 1), TopicId("ping", "bench"))

class Ponger(RoutedAgent):
    def __init__(self) -> None:
        super().__init__("ponger")

    @message_handler
    async def on_ping(self, message: Ping, ctx: MessageContext) -> None:
        global handled
        handled += 1
        await self.publish_message(Pong(n=message.n + 1), TopicId("pong", "bench"))

async def once() -> int:
    global handled
    handled = 0
    runtime = SingleThreadedAgentRuntime()
    await Pinger.register(runtime, "pinger", lambda: Pinger())
    await Ponger.register(runtime, "ponger", lambda: Ponger())
    await runtime.add_subscription(TypeSubscription("pong", "pinger"))
    await runtime.add_subscription(TypeSubscription("ping", "ponger"))
    runtime.start()
    await runtime.publish_message(Ping(n=1), TopicId("ping", "bench"))
    await runtime.stop_when_idle()
    return handled

"""


# Appended to each workload: one timed run, then one run under tracemalloc for the allocation peak.
MEASURE = """
start = time.perf_counter()
delivered = asyncio.run(once())
elapsed = time.perf_counter() - start
tracemalloc.start()
asyncio.run(once())
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"delivered": delivered, "seconds": elapsed, "traced_peak": peak,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def run_workload(code: str, messages: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code + MEASURE, str(messages)], capture_output=True, text=True, cwd=REPO, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def import_seconds(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    return float(done.stdout.strip())


def median_of(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    rows: dict[str, list[dict[str, Any]]] = {"switchboard": [], "autogen": []}
    for _ in range(args.repeats):  # interleaved, so machine noise hits both alike
        rows["switchboard"].append(run_workload(SWITCHBOARD_WORKLOAD, args.messages))
        rows["autogen"].append(run_workload(AUTOGEN_WORKLOAD, args.messages))

    rate = {k: median_of([r["delivered"] / r["seconds"] for r in v]) for k, v in rows.items()}
    rss = {k: median_of([r["maxrss_kib"] for r in v]) / 1024 for k, v in rows.items()}
    traced = {k: median_of([r["traced_peak"] for r in v]) / 2**20 for k, v in rows.items()}
    imports = {
        "import switchboard": median_of([import_seconds("switchboard") for _ in range(7)]),
        "import switchboard.runtime (full core)": median_of([import_seconds("switchboard.runtime") for _ in range(7)]),
        "import autogen_core": median_of([import_seconds("autogen_core") for _ in range(7)]),
    }
    print(f"ping-pong, {args.messages} messages, median of {args.repeats} runs each")
    print(f"  switchboard InProcessRuntime        {rate['switchboard']:>10,.0f} msg/s")
    print(f"  autogen SingleThreadedAgentRuntime  {rate['autogen']:>10,.0f} msg/s")
    print(f"  throughput ratio switchboard/autogen: {rate['switchboard'] / rate['autogen']:.2f}x (target >= 2)")
    print(f"  peak RSS (import + run): switchboard {rss['switchboard']:.1f} MiB, autogen {rss['autogen']:.1f} MiB")
    print(
        f"  peak traced allocations during a run: switchboard {traced['switchboard']:.2f} MiB, "
        f"autogen {traced['autogen']:.2f} MiB (target: switchboard no higher)"
    )
    for name, seconds in imports.items():
        print(f"  {name:<40} {seconds * 1000:7.1f} ms")
    base = imports["import autogen_core"]
    print(
        f"  import ratio switchboard/autogen_core: {imports['import switchboard'] / base:.3f}x (target <= 0.5); "
        f"full core: {imports['import switchboard.runtime (full core)'] / base:.2f}x"
    )


if __name__ == "__main__":
    main()
