"""Termination conditions for teams under AutoGen's names, combinable with `&` and `|`, plus budgets.

Condition state is persisted with the run, so a restored run keeps its counters.
"""

from switchboard.termination.base import (
    AndCondition,
    AndTerminationCondition,
    ConditionState,
    ModelCall,
    OrCondition,
    OrTerminationCondition,
    RunDelta,
    TerminationCondition,
)
from switchboard.termination.budgets import (
    CostBudgetTermination,
    ModelPrice,
    PriceTable,
    TimeoutTermination,
    TokenUsageTermination,
    ToolCallBudgetTermination,
)
from switchboard.termination.conditions import (
    ExternalTermination,
    FunctionalTermination,
    FunctionCallTermination,
    HandoffTermination,
    MaxMessageTermination,
    SourceMatchTermination,
    StopMessageTermination,
    TextMentionTermination,
    TextMessageTermination,
)

__all__ = [
    "AndCondition",
    "AndTerminationCondition",
    "ConditionState",
    "CostBudgetTermination",
    "ExternalTermination",
    "FunctionCallTermination",
    "FunctionalTermination",
    "HandoffTermination",
    "MaxMessageTermination",
    "ModelCall",
    "ModelPrice",
    "OrCondition",
    "OrTerminationCondition",
    "PriceTable",
    "RunDelta",
    "SourceMatchTermination",
    "StopMessageTermination",
    "TerminationCondition",
    "TextMentionTermination",
    "TextMessageTermination",
    "TimeoutTermination",
    "TokenUsageTermination",
    "ToolCallBudgetTermination",
]
