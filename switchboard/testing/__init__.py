"""Helpers for testing agents: run them in-process and assert on messages and state."""

from switchboard.agent import ManualClock
from switchboard.testing.harness import DEFAULT_RUN, AgentHarness

__all__ = ["DEFAULT_RUN", "AgentHarness", "ManualClock"]
