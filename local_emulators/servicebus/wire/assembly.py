"""Reassemble a delivery a client splits over several transfer frames, holding at most a fixed size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from local_emulators.servicebus.amqp import performatives as p


@dataclass(slots=True)
class Delivery:
    """One complete incoming delivery.

    Attributes:
        first: The fields of its first transfer frame (delivery id, tag, format, settled).
        payload: Its bytes; empty when ``oversize``.
        oversize: It grew past the limit; its bytes were dropped as they came.
        aborted: The client aborted it.
    """

    first: list[Any]
    payload: bytes
    oversize: bool
    aborted: bool


class Assembler:
    """Collects the frames of one delivery at a time on a link.

    Args:
        limit: Bytes kept per delivery; beyond it the delivery is only counted, so a client that
            never ends a multi-frame delivery cannot make the broker hold more than this.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._first: list[Any] | None = None
        self._parts: list[bytes] = []
        self._size = 0

    def add(self, fields: list[Any], payload: bytes) -> Delivery | None:
        """Take one transfer frame; return the delivery once its last frame arrived."""
        if self._first is None:
            if not fields[p.T_MORE] and not fields[p.T_ABORTED]:
                # The common case: a delivery in one frame.
                oversize = len(payload) > self.limit
                return Delivery(fields, b"" if oversize else payload, oversize, False)
            self._first = fields
        self._size += len(payload)
        if self._size <= self.limit:
            self._parts.append(payload)
        else:
            self._parts.clear()
        if fields[p.T_MORE] and not fields[p.T_ABORTED]:
            return None
        first, oversize = self._first, self._size > self.limit
        done = Delivery(first, b"".join(self._parts), oversize, bool(fields[p.T_ABORTED]))
        self._first, self._parts, self._size = None, [], 0
        return done
