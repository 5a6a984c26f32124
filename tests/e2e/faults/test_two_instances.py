"""Two instances on one message, through real processes: one effect, one transcript, no mismatched tool call ids.

The payer's `TurnRequested` is handled by two processes at once, as when its lock is lost during a long model call
and Service Bus hands it to a second instance. Each process is a full hosted runtime (azure-cosmos, azure-servicebus
and openai against the emulators) and talks to its OWN scripted model server, and the two models answer
differently: other tool call ids, other arguments, other text — a real model is not deterministic either. The
barriers make the race the worst one: both processes start the hop together (a file barrier), so neither finds a
journaled step; the first model answers after 2 s and the second after 5 s (the script's slow answers), so the
second instance records each model step after the first did; and the side-effecting tool waits until both
instances are inside it.

Both must then go on with the first recorded answer (adopted from Cosmos), pay once under one key, try the same
outbox, and one commit wins while the other re-sends it; the run completes with one transcript.

The second test makes the same race the way production does: two `switchboard host` processes share the namespace,
the payer's model call is slow, and the Service Bus emulator expires every held lock while it runs, so the turn is
delivered again and handled a second time while the first handler still waits for its model.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from azure.servicebus.aio import ServiceBusClient

from switchboard.agent.effect_keys import call_digest
from switchboard.functions.entities import entities_for
from switchboard.functions.runtime import HostedRuntime
from switchboard.hosting.settings import HostingSettings
from switchboard.hosting.settlement import IncomingMessage, Outcome
from tests.support.faults import clear_faults, model_faults, servicebus_fault
from tests.support.hosted_runs import (
    make_stack,
    run_item,
    runs_container,
    start,
    transcript_items,
    wait_run_ended,
    wait_until,
)
from tests.support.hosting_bus import drain, incoming_of
from tests.support.processes import REPO_ROOT, ServerProcess, free_port, start_python_module
from tests.support.race_team import PAYER, TEAM, TEAMS
from tests.support.stack import Stack, scrub_env

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

FIRST_ANSWER_SECONDS = 2
SECOND_ANSWER_SECONDS = 5
SLOW_MODEL_SECONDS = 8  # slack for the redelivery to reach a listener while the first call still waits
RACE_APP = Path(__file__).with_name("race_app")


def _script(name: str, delay: float, to: str, amount: int) -> dict[str, Any]:
    call = {"id": f"call_{name}", "name": "pay", "arguments": {"to": to, "amount": amount}}
    return {
        "agents": {
            PAYER: [
                {"tool_calls": [call], "delay": delay},
                {"content": f"Paid, says {name}.", "delay": delay},
            ]
        }
    }


@pytest.fixture
def race_stack(tmp_path: Path) -> Iterator[tuple[Stack, ServerProcess]]:
    scrub_env()
    first = tmp_path / "model-a.json"
    first.write_text(json.dumps(_script("a", FIRST_ANSWER_SECONDS, "ops", 5)))
    second = tmp_path / "model-b.json"
    second.write_text(json.dumps(_script("b", SECOND_ANSWER_SECONDS, "dev", 7)))
    stack = make_stack(tmp_path, tmp_path, first, entities_for(TEAMS))
    model_b: ServerProcess | None = None
    try:
        stack.start_servicebus()
        stack.start_cosmos()
        stack.start_model()
        port = free_port()
        model_b = start_python_module(
            "local_emulators.openai",
            ["--script", str(second), "--host", "127.0.0.1", "--port", str(port)],
            port=port,
            log_path=tmp_path / "model-b.log",
        )
        yield stack, model_b
    finally:
        if model_b is not None:
            model_b.stop()
        stack.stop_all()


def _requests(base_url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{base_url}/_script/requests", timeout=10) as response:
        return list(json.loads(response.read())["requests"])


def _ids_match(request: dict[str, Any]) -> bool:
    """Every tool result in a model request answers a tool call of that request, by id."""
    messages = request["body"]["messages"]
    called = {call["id"] for m in messages if m["role"] == "assistant" for call in m.get("tool_calls") or []}
    answered = [m["tool_call_id"] for m in messages if m["role"] == "tool"]
    return all(call_id in called for call_id in answered)


def _timeless(outbox: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{name: value for name, value in envelope.items() if name != "created_at"} for envelope in outbox]


def _start_instance(name: str, stack: Stack, model_url: str, folder: Path, copy: Path) -> subprocess.Popen[bytes]:
    env = {
        **stack.app_env(),
        "OPENAI_BASE_URL": f"{model_url}/v1",
        "RACE_DIR": str(folder),
        "RACE_INSTANCE": name,
        "PYTHONPATH": str(REPO_ROOT),
        "PYTHONUNBUFFERED": "1",
        "PATH": "/usr/bin:/bin",
    }
    log = (folder / f"instance-{name}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.race_instance", PAYER, str(copy), str(folder / f"out-{name}.json")],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


async def test_two_instances_racing_one_message_make_one_effect_one_transcript_and_the_same_outbox(
    race_stack: tuple[Stack, ServerProcess], tmp_path: Path
) -> None:
    stack, model_b = race_stack
    folder = tmp_path / "race"
    folder.mkdir()
    settings = HostingSettings.model_validate(
        {
            "ServiceBusConnection": stack.sb_connection,
            "COSMOS_ENDPOINT": stack.cosmos_endpoint,
            "COSMOS_KEY": stack.app_env()["COSMOS_KEY"],
        }
    )
    runtime = HostedRuntime(TEAMS, settings=settings)
    run_id = str(uuid.uuid4())
    try:
        processor = await runtime.processor()
        async with ServiceBusClient.from_connection_string(stack.sb_connection) as client, AsyncExitStack() as exits:
            manager = await exits.enter_async_context(
                client.get_queue_receiver(TEAM, session_id=run_id, max_wait_time=5)
            )
            payer = await exits.enter_async_context(
                client.get_queue_receiver(PAYER, session_id=run_id, max_wait_time=5)
            )

            # The task starts the run; the manager asks the payer for its turn.
            task = json.dumps({"task": "pay ops 5", "team": TEAM}).encode()
            started = await processor.process_task(IncomingMessage(body=task, message_id=run_id))
            assert started.outcome is Outcome.STARTED
            assert [s.outcome for _, s in await drain({TEAM: manager}, processor.process)] == [Outcome.HANDLED]

            # One delivery of the payer's turn, handed to two instances at once.
            (turn,) = await payer.receive_messages(max_message_count=1, max_wait_time=10)
            incoming = incoming_of(turn)
            copy = folder / "turn.json"
            copy.write_text(
                json.dumps({"body": incoming.body.decode(), "message_id": incoming.message_id, "session_id": run_id})
            )
            await payer.complete_message(turn)
            instances = {
                "a": _start_instance("a", stack, stack.model_url, folder, copy),
                "b": _start_instance("b", stack, f"http://127.0.0.1:{model_b.port}", folder, copy),
            }
            for name, process in instances.items():
                code = await asyncio.to_thread(process.wait, 120)
                assert code == 0, (folder / f"instance-{name}.log").read_text()

            # The instances' answer reaches the manager once (the re-sent copy is a duplicate to Service Bus).
            rest = await drain({TEAM: manager, PAYER: payer}, processor.process)
            assert [(queue, s.outcome) for queue, s in rest] == [(TEAM, Outcome.HANDLED)]
    finally:
        await runtime.close()

    logs = "\n".join((folder / f"instance-{n}.log").read_text() for n in ("a", "b"))
    out = {name: json.loads((folder / f"out-{name}.json").read_text()) for name in ("a", "b")}
    assert sorted(o["outcome"] for o in out.values()) == ["duplicate", "handled"], logs
    # Both instances computed the same outbox: the first recorded answers, adopted by the later instance. Only the
    # envelopes' creation times are each instance's own (the loser's are never sent: it re-sends the stored outbox).
    (tried_a,) = out["a"]["tried"]
    (tried_b,) = out["b"]["tried"]
    assert _timeless(tried_a) == _timeless(tried_b)
    (turn_completed,) = tried_a
    entry = turn_completed["payload"]["entry"]
    assert entry["content"] == "Paid, says a."

    # Both instances were inside the tool, with one key: the adopted call's (instance a's arguments), paid once.
    digest = call_digest("pay", json.dumps({"to": "ops", "amount": 5}))
    attempts = sorted((folder / "attempts.log").read_text().split("\n")[:-1])
    assert [line.split(" ")[0] for line in attempts] == ["a", "b"]
    keys = {line.split(" ")[1] for line in attempts}
    assert len(keys) == 1
    (key,) = keys
    assert key.startswith(f"{run_id}:{PAYER}:")
    assert key.endswith(f":pay:{digest}")
    assert len((folder / "effects.log").read_text().splitlines()) == 1
    assert [a["arguments"] for a in entry["tool_activity"]] == [json.dumps({"to": "ops", "amount": 5})]

    # One transcript: the task and the payer's one entry, and the run completed.
    entries = transcript_items(stack, run_id)
    assert [(e["index"], e["source"]) for e in entries] == [(0, "user"), (1, PAYER)]
    assert entries[1]["content"] == "Paid, says a."
    assert entries[1]["tool_activity"] == entry["tool_activity"]
    run = run_item(stack, run_id)
    assert run is not None
    assert run["status"] == "completed"

    # The second model was asked too (the race was real), and every request paired its tool results by id: the
    # second instance sent instance a's call id with its result, never its own.
    first_requests, second_requests = _requests(stack.model_url), _requests(f"http://127.0.0.1:{model_b.port}")
    assert len(first_requests) == 2
    assert len(second_requests) == 2
    assert all(_ids_match(r) for r in [*first_requests, *second_requests])
    reflection = second_requests[1]["body"]["messages"]
    assert [m["tool_call_id"] for m in reflection if m["role"] == "tool"] == ["call_a"]


@pytest.fixture
def hosts_stack(tmp_path: Path) -> Iterator[Stack]:
    scrub_env()
    script = tmp_path / "model.json"
    call = {"id": "call_pay", "name": "pay", "arguments": {"to": "ops", "amount": 5}}
    script.write_text(json.dumps({"agents": {PAYER: [{"tool_calls": [call]}, {"content": "Paid."}]}}))
    stack = make_stack(tmp_path, RACE_APP, script, entities_for(TEAMS))
    folder = tmp_path / "race"
    folder.mkdir()
    stack.extra_env["RACE_DIR"] = str(folder)
    try:
        stack.start_servicebus()
        stack.start_cosmos()
        stack.start_model()
        stack.start_host("host")
        stack.start_host("host2")
        yield stack
    finally:
        with contextlib.suppress(OSError):
            clear_faults(stack)
        stack.stop_all()


def test_a_lock_lost_during_a_slow_model_call_races_two_handlers_into_one_effect_and_one_transcript(
    hosts_stack: Stack,
) -> None:
    stack = hosts_stack
    folder = Path(stack.extra_env["RACE_DIR"])
    model_faults(stack, delay_seconds=SLOW_MODEL_SECONDS, count=1)  # the payer's first model call is slow
    run_id = start(stack, TEAM, "pay ops 5")
    wait_until(lambda: len(_requests(stack.model_url)) == 1, "the payer's slow model call", stack)
    expired = servicebus_fault(stack, "expire-locks")  # mid-call: the turn goes to a second handler

    run = wait_run_ended(stack, run_id, timeout=120)
    assert run["status"] == "completed", stack.logs()
    entries = transcript_items(stack, run_id)
    assert [(e["index"], e["source"], e["content"]) for e in entries] == [(0, "user", "pay ops 5"), (1, PAYER, "Paid.")]
    assert [a["arguments"] for a in entries[1]["tool_activity"]] == [json.dumps({"to": "ops", "amount": 5})]

    # The race was real: the payer's first step was asked twice (by the slow handler and by the second one).
    requests = _requests(stack.model_url)
    first_steps = [r for r in requests if r["agent"] == PAYER and r["index"] == 0]
    assert len(first_steps) == 2, (expired, stack.logs())
    assert all(_ids_match(r) for r in requests)
    # Both handlers were inside the tool with one key, and the payment happened once.
    attempts = (folder / "attempts.log").read_text().splitlines()
    assert len(attempts) == 2, stack.logs()
    assert len({line.split(" ")[1] for line in attempts}) == 1
    assert len((folder / "effects.log").read_text().splitlines()) == 1
    # One item per step of the payer's hop: the later handler's records were refused and it adopted the stored ones.
    steps = list(runs_container(stack).query_items("SELECT c.id FROM c WHERE c.type = 'step'", partition_key=run_id))
    assert len([s for s in steps if s["id"].startswith(f"step:{PAYER}:")]) == 3
    callers = sorted(line.split(" ")[0] for line in attempts)
    print(f"lock loss: {expired}; the tool was called by {callers} (one process twice when they are equal)")
