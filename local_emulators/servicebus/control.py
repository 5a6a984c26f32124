"""HTTP control plane for tests and tools: health, entity listing with counts, reset (like moto's)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from local_emulators.servicebus.broker.namespace import Broker

_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 400: "Bad Request"}


class ControlPlane:
    """Serve ``GET /health``, ``GET /entities`` and ``POST /reset`` over HTTP/1.1.

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

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Handle one HTTP connection (one request, then close)."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line = head.split(b"\r\n", 1)[0].decode("latin-1").split()
            if len(request_line) < 2:
                status, body = 400, {"error": "bad request line"}
            else:
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip() or 0)
                if length:
                    await reader.readexactly(length)
                status, body = self.route(request_line[0].upper(), request_line[1])
            payload = json.dumps(body).encode()
            writer.write(
                f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()
