"""The control plane for tests, under `/_emulator/` (a path the SDKs never use), without auth.

- `GET /_emulator/health`: liveness plus resource counts.
- `POST /_emulator/reset`: delete everything.
- `POST /_emulator/faults` `{"status": 429|503, "rate": 0.0-1.0?, "count": n?, "for_seconds": t?,
  "retry_after_ms": ms?, "seed": s?}`: answer that share of data-plane requests (all but `GET /`) with the status
  (429s with substatus 3200 and `x-ms-retry-after-ms`, as Cosmos throttles), at most `count` times and for at most
  `for_seconds` if given. `rate` defaults to 1.0 when `count` or `for_seconds` is given, else 0.0 (off); so `{}` or
  `{"rate": 0}` turns faults off. `GET /_emulator/faults` shows the settings and `injected`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
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
    until: float | None = None
    retry_after_ms: int = 10
    clock: Callable[[], float] = time.monotonic
    _random: random.Random = field(default_factory=random.Random)

    def configure(
        self,
        status: int,
        rate: float,
        count: int | None,
        seed: int | None,
        *,
        for_seconds: float | None = None,
        retry_after_ms: int = 10,
    ) -> None:
        """Set the fault status, the share of requests to fail, an optional cap, period, retry hint and seed."""
        if status not in _FAULTS:
            raise BadRequestError("Fault status must be 429 or 503.")
        if not 0.0 <= rate <= 1.0:
            raise BadRequestError("Fault rate must be between 0.0 and 1.0.")
        if (count is not None and count < 0) or (for_seconds is not None and for_seconds < 0) or retry_after_ms < 0:
            raise BadRequestError("Fault count, for_seconds and retry_after_ms must not be negative.")
        self.status, self.rate, self.remaining, self.injected = status, rate, count, 0
        self.until = None if for_seconds is None else self.clock() + for_seconds
        self.retry_after_ms = retry_after_ms
        if seed is not None:
            self._random.seed(seed)

    def active(self) -> bool:
        """Whether some request may still be failed."""
        in_period = self.until is None or self.clock() < self.until
        return self.rate > 0.0 and self.remaining != 0 and in_period

    def check(self) -> None:
        """Raise the configured fault if this request was picked."""
        if not self.active():
            return
        if self.rate < 1.0 and self._random.random() >= self.rate:
            return
        if self.remaining is not None:
            self.remaining -= 1
        self.injected += 1
        raise _FAULTS[self.status](
            f"Injected fault {self.status} from the emulator's control plane.", retry_after_ms=self.retry_after_ms
        )

    def view(self) -> dict[str, object]:
        """The settings in force and how many requests were failed."""
        left = None if self.until is None else round(max(self.until - self.clock(), 0.0), 3)
        return {
            "status": self.status,
            "rate": self.rate,
            "active": self.active(),
            "count_left": self.remaining,
            "seconds_left": left,
            "retry_after_ms": self.retry_after_ms,
            "injected": self.injected,
        }


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
    if action == "faults" and request.method == "GET":
        return json_response(200, faults.view())
    if action == "faults" and request.method == "POST":
        _configure(faults, request)
        return json_response(200, faults.view())
    raise NotFoundError(f"Unknown control-plane endpoint '{request.method} {request.path}'.")


def _configure(faults: FaultInjector, request: Request) -> None:
    try:
        body = request.json() or {}
        if not isinstance(body, dict):
            raise TypeError("the body must be a JSON object")
        count = None if body.get("count") is None else int(body["count"])
        for_seconds = None if body.get("for_seconds") is None else float(body["for_seconds"])
        # A count or a period alone means "every request meanwhile": that is what a test of them wants.
        default_rate = 1.0 if count is not None or for_seconds is not None else 0.0
        rate = float(body.get("rate", default_rate))
        status = int(body.get("status", 429))
        seed = None if body.get("seed") is None else int(body["seed"])
        retry_after_ms = int(body.get("retry_after_ms", 10))
    except (ValueError, TypeError, AttributeError) as exc:
        raise BadRequestError(f"Invalid fault settings: {exc}") from exc
    faults.configure(status, rate, count, seed, for_seconds=for_seconds, retry_after_ms=retry_after_ms)
