"""HTTP control plane for tests and tools: health, entity listing with counts, reset (like moto's), faults.

Faults (see `local_emulators/servicebus/wire/faults.py`):

- `POST /faults/drop-connections`: cut every client AMQP connection now (no AMQP close, as a network failure).
- `POST /faults/expire-locks`: every held message and session lock expires now; a settlement with a lost lock
  fails with lock-lost and the message is delivered again.
- `POST /faults/server-busy` `{"for_seconds": T}`: for T seconds, link attaches, sends and receives are refused
  with `com.microsoft:server-busy` (`{"for_seconds": 0}` ends it).
- `GET /faults`: the live connections, the busy time left and counts of what the faults did.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from local_emulators.servicebus.broker.namespace import Broker
from local_emulators.servicebus.wire.faults import FaultSwitch


class ControlPlane:
    """Answer ``GET /health``, ``GET /entities``, ``POST /reset`` and ``/faults/...`` (on the management port).

    Args:
        broker: The broker to inspect and reset.
        now_ms: The clock.
        faults: The wire's fault switch (a private one when not given: faults then touch no connection).
    """

    def __init__(self, broker: Broker, now_ms: Callable[[], int], faults: FaultSwitch | None = None) -> None:
        self.broker = broker
        self.now_ms = now_ms
        self.faults = faults or FaultSwitch()

    def route(self, method: str, path: str, body: bytes = b"") -> tuple[int, Any]:
        """Answer one request with a status and a JSON-able body."""
        path = path.split("?", 1)[0].rstrip("/") or "/"
        routes: dict[str, tuple[str, Callable[[], Any]]] = {
            "/health": ("GET", lambda: {"status": "healthy", "message": "Service is healthy."}),
            "/entities": ("GET", lambda: {"entities": self.broker.snapshot(self.now_ms())}),
            "/reset": ("POST", self._reset),
            "/faults": ("GET", lambda: self.faults.view(self.now_ms())),
            "/faults/drop-connections": ("POST", lambda: {"dropped": self.faults.drop_connections()}),
            "/faults/expire-locks": ("POST", lambda: self.faults.expire_locks(self.broker, self.now_ms())),
            "/faults/server-busy": ("POST", lambda: self._server_busy(body)),
        }
        if path not in routes:
            return 404, {"error": f"no route {path}"}
        want, action = routes[path]
        if method != want:
            return 405, {"error": f"{path} takes {want}"}
        try:
            return 200, action()
        except _BadFaultError as error:
            return 400, {"error": str(error)}

    def _reset(self) -> dict[str, str]:
        self.broker.reset()
        return {"status": "reset"}

    def _server_busy(self, body: bytes) -> dict[str, Any]:
        try:
            settings = json.loads(body) if body.strip() else {}
            seconds = settings["for_seconds"]
        except (ValueError, TypeError, KeyError) as error:
            raise _BadFaultError('server-busy takes a JSON body {"for_seconds": T}') from error
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 <= seconds <= 3600:
            raise _BadFaultError("for_seconds must be a number from 0 to 3600")
        self.faults.server_busy(self.broker, self.now_ms(), float(seconds))
        return self.faults.view(self.now_ms())


class _BadFaultError(ValueError):
    """A fault request with a missing or invalid setting (answered 400)."""
