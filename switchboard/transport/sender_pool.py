"""`SenderPool`: the process's Service Bus senders, a few per entity, each taking one send at a time.

The SDK's sender is not safe for concurrent use (two first sends racing to open its link fail inside azure-servicebus),
so each sender has a lock. With one sender per queue, every hop of every run bound for that queue waited for the
sends before it (one round trip each); a few senders per entity let concurrent runs send side by side. Ordering is
unaffected: a caller awaits its send before it sends again, and runs are separate sessions.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from azure.servicebus.aio import ServiceBusClient, ServiceBusSender
from azure.servicebus.exceptions import ServiceBusError

T = TypeVar("T")
SENDERS_PER_ENTITY = 4
"""Sends to one queue or topic that may be under way at once (each sender is one AMQP link, opened on first use)."""


@dataclass
class _Pooled:
    sender: ServiceBusSender
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class SenderPool:
    """Up to `size` senders per `(kind, entity)`, created on demand; a sender that failed is dropped and closed."""

    def __init__(self, client: ServiceBusClient, size: int = SENDERS_PER_ENTITY) -> None:
        """Draw senders from `client`."""
        self._client = client
        self._size = max(1, size)
        self._pools: dict[tuple[str, str], list[_Pooled]] = {}
        self._turns: dict[tuple[str, str], int] = {}

    async def use(self, kind: str, entity: str, send: Callable[[ServiceBusSender], Awaitable[T]]) -> T:
        """Run `send` with a sender of `entity` (kind "queue" or "topic") that no other send is using.

        Raises:
            ServiceBusError: What `send` raised; that sender is closed and the next send opens a fresh one.
        """
        key = (kind, entity)
        while True:
            pooled = self._pick(key)
            async with pooled.lock:
                if pooled not in self._pools.get(key, ()):
                    # It failed and was closed while this send waited for it (a closed sender raises ValueError,
                    # which no host would recognise as transient): take another.
                    continue
                try:
                    return await send(pooled.sender)
                except ServiceBusError:
                    # A sender whose link broke stays broken; the next attempt opens a fresh one.
                    self._pools[key].remove(pooled)
                    await _close_quietly(pooled.sender)
                    raise

    def _pick(self, key: tuple[str, str]) -> _Pooled:
        # No await here, so two sends cannot both see the same sender as free and both create a new one.
        pool = self._pools.setdefault(key, [])
        free = next((pooled for pooled in pool if not pooled.lock.locked()), None)
        if free is not None:
            return free
        if len(pool) < self._size:
            kind, entity = key
            sender = self._client.get_topic_sender(entity) if kind == "topic" else self._client.get_queue_sender(entity)
            pool.append(_Pooled(sender))
            return pool[-1]
        turn = self._turns.get(key, 0)
        self._turns[key] = turn + 1
        return pool[turn % len(pool)]

    def count(self, kind: str, entity: str) -> int:
        """How many senders of `entity` are open or opening."""
        return len(self._pools.get((kind, entity), ()))

    async def close(self) -> None:
        """Close every sender (a later send opens new ones)."""
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            for pooled in pool:
                await _close_quietly(pooled.sender)


async def _close_quietly(sender: ServiceBusSender) -> None:
    # It is being discarded (failed, or the pool is closing); a second failure says nothing new.
    with contextlib.suppress(ServiceBusError):
        await sender.close()
