"""Switchboard: AutoGen-style teams of AI agents that run serverless on Azure.

The public API is importable from here. Names load on first use, so `import switchboard` stays cheap for the CLI
and for cold starts that need only part of it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Message": "switchboard.messages",
    "Envelope": "switchboard.messages",
    "MessageRegistry": "switchboard.messages",
    "Agent": "switchboard.agent",
    "AgentContext": "switchboard.agent",
    "AgentState": "switchboard.agent",
    "NoState": "switchboard.agent",
    "CancellationToken": "switchboard.agent",
    "FunctionAgent": "switchboard.agent",
    "function_agent": "switchboard.agent",
    "ManualClock": "switchboard.agent",
    "SystemClock": "switchboard.agent",
    "Dispatcher": "switchboard.runtime",
    "InProcessRuntime": "switchboard.runtime",
    "InMemoryStateStore": "switchboard.runtime",
    "SwitchboardError": "switchboard.errors",
    "Disposition": "switchboard.errors",
    "disposition_for": "switchboard.errors",
}

if TYPE_CHECKING:
    from switchboard.agent import (
        Agent,
        AgentContext,
        AgentState,
        CancellationToken,
        FunctionAgent,
        ManualClock,
        NoState,
        SystemClock,
        function_agent,
    )
    from switchboard.errors import Disposition, SwitchboardError, disposition_for
    from switchboard.messages import Envelope, Message, MessageRegistry
    from switchboard.runtime import Dispatcher, InMemoryStateStore, InProcessRuntime


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'switchboard' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = sorted(_EXPORTS)
