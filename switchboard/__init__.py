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
    "load_component": "switchboard.components",
    "dump_component": "switchboard.components",
    "ToolRegistry": "switchboard.components",
    "Disposition": "switchboard.errors",
    "disposition_for": "switchboard.errors",
}

if TYPE_CHECKING:
    from switchboard.agent import Agent as Agent
    from switchboard.agent import AgentContext as AgentContext
    from switchboard.agent import AgentState as AgentState
    from switchboard.agent import CancellationToken as CancellationToken
    from switchboard.agent import FunctionAgent as FunctionAgent
    from switchboard.agent import ManualClock as ManualClock
    from switchboard.agent import NoState as NoState
    from switchboard.agent import SystemClock as SystemClock
    from switchboard.agent import function_agent as function_agent
    from switchboard.components import ToolRegistry as ToolRegistry
    from switchboard.components import dump_component as dump_component
    from switchboard.components import load_component as load_component
    from switchboard.errors import Disposition as Disposition
    from switchboard.errors import SwitchboardError as SwitchboardError
    from switchboard.errors import disposition_for as disposition_for
    from switchboard.messages import Envelope as Envelope
    from switchboard.messages import Message as Message
    from switchboard.messages import MessageRegistry as MessageRegistry
    from switchboard.runtime import Dispatcher as Dispatcher
    from switchboard.runtime import InMemoryStateStore as InMemoryStateStore
    from switchboard.runtime import InProcessRuntime as InProcessRuntime


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
