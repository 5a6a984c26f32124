"""Inject faults into a running `Stack`'s emulators, for end-to-end tests of the hosted runtime under faults.

- `model_faults(stack, status=429, retry_after=2, for_seconds=5)`: the scripted model answers chat requests with
  429/500/503 (or `delay_seconds=D` late) for `count` requests or `for_seconds`; a faulted request consumes no
  script step and is not in `/_script/requests`. `model_faults(stack)` clears.
- `cosmos_faults(stack, status=429, for_seconds=3, retry_after_ms=500)`: Cosmos answers data-plane requests with
  429 (substatus 3200, `x-ms-retry-after-ms`) or 503, for `count` requests or `for_seconds` (`rate` < 1 fails only
  that share). `cosmos_faults(stack)` clears.
- `servicebus_fault(stack, "drop-connections")`, `servicebus_fault(stack, "expire-locks")`,
  `servicebus_fault(stack, "server-busy", for_seconds=T)`.
- `clear_faults(stack)`: end every fault of every running emulator; `fault_views(stack)`: what each has injected.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any, Literal

from tests.support.stack import Stack

ServiceBusFault = Literal["drop-connections", "expire-locks", "server-busy"]


def _call(url: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="GET" if data is None else "POST")
    request.add_header("content-type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def model_faults(stack: Stack, **fields: Any) -> dict[str, Any]:
    """Set the scripted model's fault (none given: clear it); returns the server's view of it."""
    result: dict[str, Any] = _call(f"{stack.model_url}/_script/faults", fields)
    return result


def cosmos_faults(stack: Stack, **fields: Any) -> dict[str, Any]:
    """Set the Cosmos emulator's fault (none given: clear it); returns the emulator's view of it."""
    result: dict[str, Any] = _call(f"{stack.cosmos_endpoint}_emulator/faults", fields)
    return result


def servicebus_fault(stack: Stack, action: ServiceBusFault, **fields: Any) -> dict[str, Any]:
    """Inject one Service Bus fault now (`server-busy` takes `for_seconds`); returns what it did."""
    result: dict[str, Any] = _call(f"http://127.0.0.1:{stack.sb_control_port}/faults/{action}", fields)
    return result


def clear_faults(stack: Stack) -> None:
    """End every injected fault of the emulators that are running (a busy period too)."""
    if "model" in stack.processes:
        model_faults(stack)
    if "cosmos" in stack.processes:
        cosmos_faults(stack)
    if "servicebus" in stack.processes:
        servicebus_fault(stack, "server-busy", for_seconds=0)


def fault_views(stack: Stack) -> dict[str, Any]:
    """Each running emulator's faults and how many requests they touched, by emulator name."""
    views: dict[str, Any] = {}
    if "model" in stack.processes:
        views["model"] = _call(f"{stack.model_url}/_script/faults")
    if "cosmos" in stack.processes:
        views["cosmos"] = _call(f"{stack.cosmos_endpoint}_emulator/faults")
    if "servicebus" in stack.processes:
        views["servicebus"] = _call(f"http://127.0.0.1:{stack.sb_control_port}/faults")
    return views
