"""Agents: the `Agent` base, its context, state, clocks and cancellation."""

from switchboard.agent.base import Agent
from switchboard.agent.cancellation import CancellationToken
from switchboard.agent.clock import Clock, ManualClock, SystemClock
from switchboard.agent.context import AgentContext, Emission
from switchboard.agent.function_agent import FunctionAgent, function_agent
from switchboard.agent.state import AgentState, NoState

__all__ = [
    "Agent",
    "AgentContext",
    "AgentState",
    "CancellationToken",
    "Clock",
    "Emission",
    "FunctionAgent",
    "ManualClock",
    "NoState",
    "SystemClock",
    "function_agent",
]
