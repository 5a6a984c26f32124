"""What the back-off tests look at in a running `Stack`: runs, dead letters, model steps, and the host's deliveries.

Polling here tolerates a throttled Cosmos: the tests inject 429s into the same emulator they read the runs from.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import urllib.request
from collections.abc import Iterable
from typing import Any

from azure.core.exceptions import AzureError
from azure.servicebus import ServiceBusClient, ServiceBusSubQueue

from tests.support.hosted_runs import runs_container
from tests.support.stack import Stack

_INVOCATION = re.compile(r"invocation function=(\S+) message_id=(\S+) session=\S+ delivery=(\d+) outcome=(\S+)")


def run_document(stack: Stack, run_id: str) -> dict[str, Any] | None:
    """The run document, or None (also while Cosmos throttles the test's own read)."""
    try:
        found = list(runs_container(stack).query_items("SELECT * FROM c WHERE c.type = 'run'", partition_key=run_id))
    except AzureError:
        return None
    return dict(found[0]) if found else None


def wait_all_ended(stack: Stack, run_ids: Iterable[str], timeout: float) -> dict[str, dict[str, Any]]:
    """Poll until every run is `completed` or `failed`; fails with the processes' logs otherwise."""
    pending = set(run_ids)
    ended: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout
    while pending:
        for run_id in sorted(pending):
            run = run_document(stack, run_id)
            if run is not None and run["status"] in ("completed", "failed"):
                ended[run_id] = run
                pending.discard(run_id)
        if not pending:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"runs {sorted(pending)} did not end within {timeout}s\n{stack.logs()}")
        time.sleep(0.3)
    return ended


def entry_count(stack: Stack, run_id: str) -> int:
    """How many transcript entries the run has committed (0 while Cosmos throttles the read)."""
    with contextlib.suppress(AzureError):
        query = "SELECT c.id FROM c WHERE c.type = 'entry'"
        return len(list(runs_container(stack).query_items(query, partition_key=run_id)))
    return 0


def dead_letters(stack: Stack, queues: Iterable[str]) -> dict[str, int]:
    """How many messages each queue's dead-letter queue holds (queues with none are left out)."""
    counts: dict[str, int] = {}
    with ServiceBusClient.from_connection_string(stack.sb_connection) as client:
        for queue in queues:
            with client.get_queue_receiver(queue, sub_queue=ServiceBusSubQueue.DEAD_LETTER) as receiver:
                found = receiver.peek_messages(max_message_count=100)
            if found:
                counts[queue] = len(found)
    return counts


def model_steps(stack: Stack) -> list[dict[str, Any]]:
    """Every model step the scripted server answered, with how often it was asked (`count`)."""
    with urllib.request.urlopen(f"{stack.model_url}/_script/steps", timeout=10) as response:
        steps: list[dict[str, Any]] = json.loads(response.read())["steps"]
    return steps


def invocations(host_log: str) -> list[tuple[str, str, int, str]]:
    """The local host's invocations in a log: (function, message id, delivery number, outcome)."""
    return [(m[1], m[2], int(m[3]), m[4]) for m in _INVOCATION.finditer(host_log)]


def host_log_since(stack: Stack, mark: int) -> str:
    """The current host's log from character `mark` on (take the mark with `len(stack.processes['host'].log())`)."""
    return stack.processes["host"].log()[mark:]
