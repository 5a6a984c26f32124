"""Injected Service Bus faults for tests: drop every client connection, expire every lock, refuse as busy.

The control plane (`POST /faults/drop-connections`, `/faults/expire-locks`, `/faults/server-busy`) calls this
switch; the wire consults it (`busy`) on link attach, on a client's send and before delivering to a receiver.
"""

from __future__ import annotations

import asyncio
from typing import Protocol, runtime_checkable

from local_emulators.servicebus.broker.lock_faults import expire_locks
from local_emulators.servicebus.broker.namespace import Broker
from local_emulators.servicebus.errors import ServerBusyError, SessionLockLostError


class Droppable(Protocol):
    """A client connection the switch can cut."""

    def drop(self) -> None:
        """Close the socket at once, as a network failure would (no AMQP close)."""
        ...


@runtime_checkable
class LockHolder(Protocol):
    """A receiver link told that its session lock was taken away."""

    def lose_session_lock(self, error: SessionLockLostError) -> None:
        """Detach with `error`."""
        ...


class FaultSwitch:
    """The Service Bus faults in force and the live connections they act on."""

    def __init__(self) -> None:
        """Start with no fault and no connection."""
        self.connections: set[Droppable] = set()
        self.busy_until_ms = 0
        self.injected = {"drop-connections": 0, "expire-locks": 0, "server-busy": 0}

    def busy(self, now_ms: int) -> bool:
        """Whether sends and receives are refused as server-busy now."""
        return now_ms < self.busy_until_ms

    def check_busy(self, now_ms: int) -> None:
        """Refuse the operation while the namespace is busy.

        Raises:
            ServerBusyError: A server-busy period is in force.
        """
        if self.busy(now_ms):
            self.injected["server-busy"] += 1
            raise ServerBusyError("the namespace is busy (injected fault); retry after a while")

    def drop_connections(self) -> int:
        """Cut every client connection now; return how many."""
        dropped = list(self.connections)
        for connection in dropped:
            connection.drop()
        self.injected["drop-connections"] += len(dropped)
        return len(dropped)

    def expire_locks(self, broker: Broker, now_ms: int) -> dict[str, int]:
        """Expire every message and session lock of every entity now; detach the session owners."""
        messages = sum(len(queue.locks) for queue in broker.receivers.values())
        owners: list[object] = []
        for queue in list(broker.receivers.values()):
            owners.extend(expire_locks(queue, now_ms))
        for owner in owners:
            if isinstance(owner, LockHolder):
                owner.lose_session_lock(SessionLockLostError("the session lock expired (injected fault)"))
        self.injected["expire-locks"] += messages
        return {"locks": messages, "sessions": len(owners)}

    def server_busy(self, broker: Broker, now_ms: int, for_seconds: float) -> None:
        """Refuse sends and receives for `for_seconds` (0 ends a busy period), then wake every receiver."""
        self.busy_until_ms = now_ms + int(for_seconds * 1000)
        asyncio.get_running_loop().call_later(for_seconds, _wake_all, broker)

    def view(self, now_ms: int) -> dict[str, object]:
        """The faults in force and counts of what they did."""
        return {
            "connections": len(self.connections),
            "busy_seconds_left": max(self.busy_until_ms - now_ms, 0) / 1000,
            "injected": dict(self.injected),
        }


def _wake_all(broker: Broker) -> None:
    # Receivers whose credit waited out the busy period get their messages now.
    for queue in list(broker.receivers.values()):
        queue.notify()
