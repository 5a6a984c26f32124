"""Helpers for testing agents: run them in-process and assert on messages and state.

`AgentHarness` runs agents with a manual clock; `take_turn` asks one team participant to speak once, and
`scripted_model` gives it a model that answers from a script (see docs/your-own-team.md).
"""

from switchboard.agent import ManualClock
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.teams.transcript import TranscriptEntry
from switchboard.testing.harness import DEFAULT_RUN, AgentHarness
from switchboard.testing.turns import scripted_model, take_turn

__all__ = [
    "DEFAULT_RUN",
    "AgentHarness",
    "ManualClock",
    "Script",
    "ScriptedModelClient",
    "TranscriptEntry",
    "scripted_model",
    "take_turn",
]
