"""Helpers for testing agents and hosted runs: run them in-process and assert on messages, state and run events."""

from switchboard.agent import ManualClock
from switchboard.testing.harness import DEFAULT_RUN, AgentHarness
from switchboard.testing.run_events import InMemoryRunEvents, RunEvent

__all__ = ["DEFAULT_RUN", "AgentHarness", "InMemoryRunEvents", "ManualClock", "RunEvent"]
