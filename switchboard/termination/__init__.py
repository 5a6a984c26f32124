"""Termination conditions for teams, combinable with `&` and `|`, with state that survives a restart."""

from switchboard.termination.base import AndCondition, ConditionState, OrCondition, TerminationCondition
from switchboard.termination.conditions import MaxMessageTermination, TextMentionTermination

__all__ = [
    "AndCondition",
    "ConditionState",
    "MaxMessageTermination",
    "OrCondition",
    "TerminationCondition",
    "TextMentionTermination",
]
