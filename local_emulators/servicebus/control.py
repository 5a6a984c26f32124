"""HTTP control plane for tests and tools: health, entity listing with counts, reset (like moto's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from local_emulators.servicebus.broker.namespace import Broker


class ControlPlane:
    """Answer ``GET /health``, ``GET /entities`` and ``POST /reset`` (the management listener serves them).

    Args:
        broker: The broker to inspect and reset.
        now_ms: The clock.
    """

    def __init__(self, broker: Broker, now_ms: Callable[[], int]) -> None:
        self.broker = broker
        self.now_ms = now_ms

    def route(self, method: str, path: str) -> tuple[int, Any]:
        """Answer one request with a status and a JSON-able body."""
        path = path.split("?", 1)[0].rstrip("/") or "/"
        routes: dict[str, tuple[str, Callable[[], Any]]] = {
            "/health": ("GET", lambda: {"status": "healthy", "message": "Service is healthy."}),
            "/entities": ("GET", lambda: {"entities": self.broker.snapshot(self.now_ms())}),
            "/reset": ("POST", self._reset),
        }
        if path not in routes:
            return 404, {"error": f"no route {path}"}
        want, action = routes[path]
        if method != want:
            return 405, {"error": f"{path} takes {want}"}
        return 200, action()

    def _reset(self) -> dict[str, str]:
        self.broker.reset()
        return {"status": "reset"}
