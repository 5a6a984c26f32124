"""Chaos: N runs while a seeded random schedule kills hosts, throttles the model and Cosmos, and restarts emulators.

Real processes on loopback: the Service Bus and Cosmos emulators, the scripted model server and two `switchboard
host` instances of the crash-test app (`tests/e2e/hosting/crash_app`: a worker whose side-effecting tool writes each
effect into an SQLite ledger under Switchboard's idempotency key, and a checker; six turns a run). The model answers
each call after ``--model-delay`` seconds, as a real model takes time (it also keeps runs in flight while the faults
come). The same N runs are first run without faults on a fresh stack (the peer), then on another fresh stack under
the schedule, one fault every 2 to 5 seconds for ``--chaos-seconds``, each kind once in every four, in random order:

- kill -9 one host, restarted a few seconds later;
- the model answers 429 with `Retry-After` for a few seconds;
- Cosmos answers half its requests with 429 (substatus 3200, `x-ms-retry-after-ms: 200`) for a few seconds;
- the Service Bus or the Cosmos emulator is stopped and started again (their data survive).

It prints, for both: completed, failed with their reasons, stranded (neither completed nor failed at the end: must
be 0), duplicated effects (one tool effect recorded under two keys: must be 0), extra model calls (a step asked
again: after a kill, a call in flight on the killed host is asked again), and the time to finish all runs, with the
ratio chaos / no faults.

Run: ``python benchmarks/chaos.py [--runs 50] [--seed 7] [--chaos-seconds 60] [--model-delay 1] [--timeout 240]``
(a few minutes).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azure.cosmos import CosmosClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from switchboard.functions.entities import entities_for
from tests.emulators.cosmos.cosmos_harness import KEY as COSMOS_KEY
from tests.support.faults import clear_faults, cosmos_faults, fault_views, model_faults
from tests.support.hosted_runs import CRASH_APP, make_stack, post_tasks
from tests.support.stack import Stack, load_app_module, scrub_env

HOSTS = ("host", "host2")
EFFECTS_PER_RUN = 3  # the worker's three turns
ACTIONS = ("kill-host", "throttle-model", "throttle-cosmos", "restart-emulator")


@dataclass
class Outcome:
    """What one pass of the N runs ended with."""

    seconds: float
    statuses: dict[str, str]
    reasons: Counter[str]
    duplicated_effects: int
    missing_effects: int
    re_executed_tools: int
    extra_model_calls: int
    dead_lettered: int
    injected: Counter[str] = field(default_factory=Counter)

    @property
    def completed(self) -> int:
        return sum(1 for status in self.statuses.values() if status == "completed")

    @property
    def failed(self) -> int:
        return sum(1 for status in self.statuses.values() if status == "failed")

    def stranded(self, runs: int) -> int:
        return runs - self.completed - self.failed


def new_stack(root: Path) -> Stack:
    """A stack of the crash app with short locks, so work a killed host held comes back within seconds."""
    module = load_app_module(CRASH_APP / "function_app.py")
    stack = make_stack(root, CRASH_APP, CRASH_APP / "script.json", entities_for(module.TEAMS), LockDuration="PT5S")
    stack.extra_env["CRASH_EFFECTS_DB"] = str(root / "effects.sqlite")
    return stack


def run_documents(stack: Stack) -> dict[str, dict[str, Any]]:
    """Every run document by id; empty while Cosmos is down or refusing (the caller polls again)."""
    try:
        runs = CosmosClient(stack.cosmos_endpoint, COSMOS_KEY, retry_total=1).get_database_client("switchboard")
        query = "SELECT c.id, c.status, c.error FROM c WHERE c.type = 'run'"
        items = runs.get_container_client("runs").query_items(query, enable_cross_partition_query=True)
        return {item["id"]: item for item in items}
    except Exception:  # the emulator is restarting or throttled: no answer this time
        return {}


def ended(documents: dict[str, dict[str, Any]], run_ids: list[str]) -> bool:
    return all(documents.get(run_id, {}).get("status") in ("completed", "failed") for run_id in run_ids)


class Chaos:
    """The seeded schedule: what to do at which second, and the restarts it owes."""

    def __init__(self, stack: Stack, seed: int, seconds: float, model_delay: float) -> None:
        self.stack = stack
        self.model_delay = model_delay
        self.throttled_until: float | None = None
        self.rng = random.Random(seed)
        self.events: list[tuple[float, str]] = []
        at = self.rng.uniform(1.0, 3.0)
        while at < seconds:
            # Each kind of fault once per round of four, in a random order: every schedule has them all.
            for action in self.rng.sample(ACTIONS, len(ACTIONS)):
                self.events.append((at, action))
                at += self.rng.uniform(2.0, 5.0)
        self.restarts: list[tuple[float, str]] = []
        self.injected: Counter[str] = Counter()
        self.model_429s = 0
        self.cosmos_429s = 0
        self.started = time.monotonic()
        self.finished = False

    @property
    def pending(self) -> bool:
        """Whether faults are still to come or a killed host is still to be restarted."""
        return bool(self.events or self.restarts)

    def step(self) -> None:
        """Run what is due now: the end of a model throttle, scheduled faults, then owed host restarts."""
        elapsed = time.monotonic() - self.started
        if self.throttled_until is not None and time.monotonic() >= self.throttled_until:
            self._end_model_throttle()
        while self.events and self.events[0][0] <= elapsed:
            _, action = self.events.pop(0)
            getattr(self, action.replace("-", "_"))()
            self.injected[action] += 1
        due = [name for at, name in self.restarts if at <= elapsed]
        self.restarts = [(at, name) for at, name in self.restarts if at > elapsed]
        for name in due:
            self.stack.start_host(name)

    def kill_host(self) -> None:
        running = [name for name in HOSTS if name in self.stack.processes]
        if not running:
            return
        name = self.rng.choice(running)
        self.stack.kill(name)
        self.restarts.append((time.monotonic() - self.started + self.rng.uniform(1.0, 4.0), name))

    def throttle_model(self) -> None:
        # The model has one fault at a time: the throttle replaces the slow answers, which resume after it.
        self._end_model_throttle()
        seconds = self.rng.uniform(2.0, 5.0)
        model_faults(self.stack, status=429, retry_after=1, for_seconds=seconds)
        self.throttled_until = time.monotonic() + seconds

    def _end_model_throttle(self) -> None:
        if self.throttled_until is None:
            return
        self.model_429s += int(fault_views(self.stack)["model"]["injected"])
        self.throttled_until = None
        if self.model_delay > 0:
            model_faults(self.stack, delay_seconds=self.model_delay)

    def throttle_cosmos(self) -> None:
        self.cosmos_429s += int(fault_views(self.stack)["cosmos"]["injected"])
        cosmos_faults(self.stack, status=429, for_seconds=self.rng.uniform(1.0, 3.0), retry_after_ms=200, rate=0.5)

    def restart_emulator(self) -> None:
        name = self.rng.choice(("servicebus", "cosmos"))
        self.stack.stop(name)
        start = self.stack.start_servicebus if name == "servicebus" else self.stack.start_cosmos
        for attempt in range(3):
            try:
                start()
                return
            except RuntimeError:  # the port may linger a moment after the stop
                if attempt == 2:
                    raise
                time.sleep(1.0)

    def finish(self) -> None:
        """Clear every fault, count what the throttles refused, and bring every host back (once)."""
        if self.finished:
            return
        self.finished = True
        self._end_model_throttle()
        self.cosmos_429s += int(fault_views(self.stack)["cosmos"]["injected"])
        clear_faults(self.stack)
        for _, name in self.restarts:
            self.stack.start_host(name)
        self.restarts = []
        self.injected["model requests answered 429"] = self.model_429s
        self.injected["Cosmos requests answered 429"] = self.cosmos_429s


def one_pass(root: Path, runs: int, timeout: float, model_delay: float, chaos: tuple[int, float] | None) -> Outcome:
    stack = new_stack(root)
    try:
        stack.start_all()
        stack.start_host("host2")
        if model_delay > 0:
            model_faults(stack, delay_seconds=model_delay)
        run_ids = post_tasks(stack, runs)
        started = time.monotonic()
        schedule = Chaos(stack, *chaos, model_delay) if chaos is not None else None
        documents: dict[str, dict[str, Any]] = {}
        while time.monotonic() - started < timeout:
            if schedule is not None:
                if schedule.pending:
                    schedule.step()
                else:
                    schedule.finish()
            documents = run_documents(stack) or documents
            if ended(documents, run_ids):
                break
            time.sleep(0.5)
        seconds = time.monotonic() - started
        if schedule is not None:
            schedule.finish()
        documents = run_documents(stack) or documents
        return measure(stack, run_ids, documents, seconds, schedule)
    finally:
        stack.stop_all()


def measure(
    stack: Stack, run_ids: list[str], documents: dict[str, dict[str, Any]], seconds: float, schedule: Chaos | None
) -> Outcome:
    statuses = {run_id: str(documents.get(run_id, {}).get("status", "no run document")) for run_id in run_ids}
    reasons = Counter(
        str(documents[run_id].get("error") or "no reason")[:100] for run_id, s in statuses.items() if s == "failed"
    )
    ledger = sqlite3.connect(stack.extra_env["CRASH_EFFECTS_DB"])
    try:
        effects = ledger.execute("SELECT key, note FROM effects").fetchall()
        attempts = ledger.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
    except sqlite3.OperationalError:  # no tool ran at all
        effects, attempts = [], 0
    per_effect = Counter((key.split(":", 1)[0], note) for key, note in effects)
    completed = [run_id for run_id, s in statuses.items() if s == "completed"]
    missing = sum(1 for run_id in completed for k in range(EFFECTS_PER_RUN) if per_effect[(run_id, f"effect {k}")] == 0)
    with urllib.request.urlopen(f"{stack.model_url}/_script/steps", timeout=10) as response:
        steps = json.loads(response.read())["steps"]
    entities = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{stack.sb_control_port}/entities").read())
    dead = sum(row.get("total", 0) for row in entities["entities"] if "deadletter" in str(row["name"]).lower())
    return Outcome(
        seconds=seconds,
        statuses=statuses,
        reasons=reasons,
        duplicated_effects=sum(count - 1 for count in per_effect.values()),
        missing_effects=missing,
        re_executed_tools=attempts - len(effects),
        extra_model_calls=sum(step["count"] - 1 for step in steps),
        dead_lettered=dead,
        injected=Counter() if schedule is None else schedule.injected,
    )


def report(runs: int, seed: int, calm: Outcome, chaos: Outcome) -> None:
    print(f"chaos.py: {runs} runs, seed {seed}, 2 hosts; faults injected: {json.dumps(dict(chaos.injected))}")
    rows = [
        ("completed", calm.completed, chaos.completed),
        ("failed", calm.failed, chaos.failed),
        ("stranded (must be 0)", calm.stranded(runs), chaos.stranded(runs)),
        ("duplicated effects (must be 0)", calm.duplicated_effects, chaos.duplicated_effects),
        ("effects missing from completed runs", calm.missing_effects, chaos.missing_effects),
        ("extra model calls", calm.extra_model_calls, chaos.extra_model_calls),
        ("tool calls re-executed under their key", calm.re_executed_tools, chaos.re_executed_tools),
        ("dead-lettered messages", calm.dead_lettered, chaos.dead_lettered),
        ("time to finish (s)", f"{calm.seconds:.1f}", f"{chaos.seconds:.1f}"),
    ]
    print(f"{'':40} {'no faults':>10} {'chaos':>10}")
    for name, plain, faulty in rows:
        print(f"{name:40} {plain!s:>10} {faulty!s:>10}")
    print(f"time ratio chaos / no faults: {chaos.seconds / calm.seconds:.2f}x")
    for label, outcome in (("no faults", calm), ("chaos", chaos)):
        for reason, count in outcome.reasons.most_common():
            print(f"failed ({label}): {count} x {reason}")
        stuck = Counter(s for s in outcome.statuses.values() if s not in ("completed", "failed"))
        if stuck:
            print(f"stranded ({label}) by status: {dict(stuck)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="runs per pass (default 50)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the fault schedule (default 7)")
    parser.add_argument("--chaos-seconds", type=float, default=60.0, help="how long faults are injected (default 60)")
    parser.add_argument("--model-delay", type=float, default=1.0, help="seconds the model takes per call (default 1)")
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds a pass may take (default 240)")
    args = parser.parse_args()
    scrub_env()
    with tempfile.TemporaryDirectory(prefix="chaos-") as tmp:
        root = Path(tmp)
        (root / "calm").mkdir()
        (root / "chaos").mkdir()
        calm = one_pass(root / "calm", args.runs, args.timeout, args.model_delay, None)
        chaos = one_pass(root / "chaos", args.runs, args.timeout, args.model_delay, (args.seed, args.chaos_seconds))
    report(args.runs, args.seed, calm, chaos)


if __name__ == "__main__":
    main()
