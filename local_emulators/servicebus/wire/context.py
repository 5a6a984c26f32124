"""What every connection shares: the broker, the store's commit barrier, keys, clock and log."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from local_emulators.servicebus.broker.namespace import Broker
from local_emulators.servicebus.wire.faults import FaultSwitch

# Frame-by-frame debug logging (SB_EMULATOR_TRACE=1); hot paths skip their fast encoders when on.
TRACE = bool(os.environ.get("SB_EMULATOR_TRACE"))


async def _no_store() -> None:
    return None


@dataclass
class WireContext:
    """Shared state of the AMQP server.

    Attributes:
        broker: The backend.
        keys: Shared access key name → key, for checking SAS tokens.
        committed: Waits until every change so far is durable (a send is acknowledged after it).
        clock: Seconds since the epoch.
        log: Where connection lines go.
        faults: Injected faults (tests), and the live connections they act on.
    """

    broker: Broker
    keys: Mapping[str, str]
    committed: Callable[[], Awaitable[None]] = _no_store
    clock: Callable[[], float] = time.time
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("local_emulators.servicebus"))
    faults: FaultSwitch = field(default_factory=FaultSwitch)

    def now_ms(self) -> int:
        """The current time in milliseconds since the epoch."""
        return int(self.clock() * 1000)


def entity_path(address: object) -> str:
    """Normalise a link address to an entity path.

    Python sends ``amqps://host:port/q`` (even over plain AMQP), .NET sends ``/q``; both mean ``q``.
    """
    text = address if isinstance(address, str) else ""
    if "://" in text:
        text = text.split("://", 1)[1]
        text = text.split("/", 1)[1] if "/" in text else ""
    return text.strip("/")
