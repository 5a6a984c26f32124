"""The control plane for tests, under `/_emulator/` (a path the SDKs never use), without auth.

- `GET /_emulator/health`: liveness plus resource counts.
- `POST /_emulator/reset`: delete everything.
- `POST /_emulator/faults` `{"status": 429|503, "rate": 0.0-1.0, "count": n?}`: answer that share of data-plane
  requests (all but `GET /`) with the status, at most `count` times if given; `{"rate": 0}` turns it off.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from local_emulators.cosmos.backend.state import AccountState
from local_emulators.cosmos.errors import (
    BadRequestError,
    InjectedFaultError,
    NotFoundError,
    ServiceUnavailableError,
    TooManyRequestsError,
)
from local_emulators.cosmos.wire import Request, Response, json_response

CONTROL_PREFIX = "/_emulator/"
_FAULTS: dict[int, type[InjectedFaultError]] = {429: TooManyRequestsError, 503: ServiceUnavailableError}


@dataclass
class FaultInjector:
    """Decides, per request, whether to fail it on purpose."""

    status: int = 429
    rate: float = 0.0
    remaining: int | None = None
    injected: int = 0
    _random: random.Random = field(default_factory=random.Random)

    def configure(self, status: int, rate: float, count: int | None, seed: int | None) -> None:
        """Set the fault status, the share of requests to fail, an optional cap and a seed."""
        if status not in _FAULTS:
            raise BadRequestError("Fault status must be 429 or 503.")
        if not 0.0 <= rate <= 1.0:
            raise BadRequestError("Fault rate must be between 0.0 and 1.0.")
        self.status, self.rate, self.remaining, self.injected = status, rate, count, 0
        if seed is not None:
            self._random.seed(seed)

    def check(self) -> None:
        """Raise the configured fault if this request was picked."""
        if self.rate <= 0.0 or self.remaining == 0:
            return
        if self.rate < 1.0 and self._random.random() >= self.rate:
            return
        if self.remaining is not None:
            self.remaining -= 1
        self.injected += 1
        raise _FAULTS[self.status](f"Injected fault {self.status} from the emulator's control plane.")


def handle_control(request: Request, state: AccountState, faults: FaultInjector) -> Response:
    """Serve one control-plane request."""
    action = request.path[len(CONTROL_PREFIX) :].strip("/")
    if action == "health" and request.method == "GET":
        containers = state.catalog.containers_by_rid.values()
        return json_response(
            200,
            {
                "status": "ok",
                "databases": len(state.catalog.databases),
                "containers": len(containers),
                "items": sum(container.count() for container in containers),
                "faults": {"status": faults.status, "rate": faults.rate, "injected": faults.injected},
            },
        )
    if action == "reset" and request.method == "POST":
        state.reset()
        faults.configure(429, 0.0, None, None)
        return json_response(200, {"status": "reset"})
    if action == "faults" and request.method == "POST":
        try:
            body = request.json() or {}
            status = int(body.get("status", 429))
            rate = float(body.get("rate", 0.0))
            count = body.get("count")
            seed = body.get("seed")
        except (ValueError, TypeError, AttributeError) as exc:
            raise BadRequestError(f"Invalid fault settings: {exc}") from exc
        faults.configure(status, rate, None if count is None else int(count), None if seed is None else int(seed))
        return json_response(200, {"status": status, "rate": rate, "count": count})
    raise NotFoundError(f"Unknown control-plane endpoint '{request.method} {request.path}'.")
