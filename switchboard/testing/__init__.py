"""Helpers for testing agents and hosted runs: run them in-process and assert on messages, state and run events.

`AgentHarness` runs agents with a manual clock; `take_turn` asks one team participant to speak once, and
`scripted_model` gives it a model that answers from a script (see docs/your-own-team.md).
"""

from switchboard.agent import ManualClock
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.testing.harness import DEFAULT_RUN, AgentHarness, as_received, received
from switchboard.testing.run_events import InMemoryRunEvents, RunEvent
from switchboard.testing.turns import scripted_model, take_turn

__all__ = [
    "DEFAULT_RUN",
    "AgentHarness",
    "InMemoryRunEvents",
    "ManualClock",
    "RunEvent",
    "Script",
    "ScriptedModelClient",
    "TranscriptEntry",
    "as_received",
    "received",
    "scripted_model",
    "take_turn",
]
