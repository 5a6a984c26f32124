"""Runtimes: the ports, the pure dispatcher every host reuses, and the in-process runtime."""

from switchboard.agent.clock import Clock
from switchboard.runtime.dispatcher import Dispatcher, DispatchResult
from switchboard.runtime.inprocess import CLIENT, InProcessRuntime
from switchboard.runtime.memory_store import InMemoryStateStore
from switchboard.runtime.protocols import (
    Commit,
    Inbox,
    Publisher,
    StateStore,
    StepJournal,
    StoredState,
    TranscriptLog,
    TranscriptRecord,
)
from switchboard.runtime.router import Router

__all__ = [
    "CLIENT",
    "Clock",
    "Commit",
    "DispatchResult",
    "Dispatcher",
    "InMemoryStateStore",
    "InProcessRuntime",
    "Inbox",
    "Publisher",
    "Router",
    "StateStore",
    "StepJournal",
    "StoredState",
    "TranscriptLog",
    "TranscriptRecord",
]
