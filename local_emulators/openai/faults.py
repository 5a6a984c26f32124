"""Injected faults of the scripted model: HTTP errors and slow answers, for a number of requests or a period.

`POST /_script/faults` sets one fault (replacing any before it); `{}` clears it; `GET /_script/faults` shows it
with `injected`, how many requests it has touched. Shapes:

- `{"status": 429|500|503, "retry_after": S?, "count": N?, "for_seconds": T?}`: answer chat requests with that
  status and OpenAI's error body (a `Retry-After: S` header when given), for the next N requests, or for T
  seconds, or (neither) until cleared. Such a request consumes no script step and is not recorded.
- `{"delay_seconds": D, "count": N?, "for_seconds": T?}`: answer the real reply D seconds late (the step is
  consumed and the request recorded on arrival, as usual). With a `status` as well, the error comes after the delay.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local_emulators.openai.errors import BadRequestError

FAULT_STATUSES = (429, 500, 503)
_KEYS = {"status", "retry_after", "count", "for_seconds", "delay_seconds", "message"}
_DEFAULT_MESSAGES = {
    429: "Rate limit reached (injected by the scripted server).",
    500: "The server had an error while processing your request (injected by the scripted server).",
    503: "The engine is currently overloaded (injected by the scripted server).",
}


@dataclass(frozen=True)
class Fault:
    """What happens to one chat request picked by the fault: wait `delay_seconds`, then fail with `status`."""

    status: int | None
    message: str
    retry_after: float | None
    delay_seconds: float


@dataclass(frozen=True)
class _Spec:
    fault: Fault
    count: int | None
    until: float | None


def parse_fault(body: object, now: float) -> _Spec | None:
    """Check a `POST /_script/faults` body; None means "clear".

    Raises:
        BadRequestError: Not an object, an unknown key, or a value of the wrong type or range.
    """
    if not isinstance(body, dict):
        raise BadRequestError("a fault must be a JSON object")
    unknown = set(body) - _KEYS
    if unknown:
        raise BadRequestError(f"unknown fault keys {sorted(unknown)}; known: {sorted(_KEYS)}")
    if not body:
        return None
    status = body.get("status")
    if status is not None and status not in FAULT_STATUSES:
        raise BadRequestError(f"fault status must be one of {list(FAULT_STATUSES)}")
    delay = _number(body, "delay_seconds", 0.0)
    if status is None and delay <= 0:
        raise BadRequestError("a fault needs a 'status' or a positive 'delay_seconds'")
    count = body.get("count")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 1):
        raise BadRequestError("fault 'count' must be a positive integer")
    for_seconds = _number(body, "for_seconds", None)
    retry_after = _number(body, "retry_after", None)
    message = body.get("message") or _DEFAULT_MESSAGES.get(status or 0, "")
    if not isinstance(message, str):
        raise BadRequestError("fault 'message' must be a string")
    fault = Fault(status=status, message=message, retry_after=retry_after, delay_seconds=delay)
    return _Spec(fault=fault, count=count, until=None if for_seconds is None else now + for_seconds)


def _number(body: dict[str, Any], key: str, default: float | None) -> Any:
    value = body.get(key, default)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise BadRequestError(f"fault {key!r} must be a non-negative number")
    return float(value)


class FaultSwitch:
    """The one fault in force; thread-safe, since the server answers each request on its own thread."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """Start with no fault; `clock` measures `for_seconds`."""
        self._clock = clock
        self._lock = threading.Lock()
        self._spec: _Spec | None = None
        self._left: int | None = None
        self.injected = 0

    def configure(self, body: object) -> dict[str, Any]:
        """Replace the fault with the one `body` describes (`{}` clears it) and return the new view.

        Raises:
            BadRequestError: The body is not a valid fault.
        """
        spec = parse_fault(body, self._clock())
        with self._lock:
            self._spec, self._left, self.injected = spec, None if spec is None else spec.count, 0
        return self.view()

    def take(self) -> Fault | None:
        """The fault for the request arriving now, counting it; None when no fault applies."""
        with self._lock:
            spec = self._spec
            if spec is None:
                return None
            if (spec.until is not None and self._clock() >= spec.until) or self._left == 0:
                self._spec = None
                return None
            if self._left is not None:
                self._left -= 1
            self.injected += 1
            return spec.fault

    def view(self) -> dict[str, Any]:
        """The fault in force (`active` false once it ran out) and how many requests it touched."""
        with self._lock:
            spec, left, injected = self._spec, self._left, self.injected
        active = spec is not None and left != 0 and (spec.until is None or self._clock() < spec.until)
        shown: dict[str, Any] = {"active": active, "injected": injected}
        if spec is not None and active:
            fault = spec.fault
            shown.update(status=fault.status, retry_after=fault.retry_after, delay_seconds=fault.delay_seconds)
            shown.update(count_left=left)
            if spec.until is not None:
                shown["seconds_left"] = round(max(spec.until - self._clock(), 0.0), 3)
        return shown
