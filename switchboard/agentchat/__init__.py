"""Chat agents: `AssistantAgent` (model + tools + structured output) and its windowed model contexts."""

from switchboard.agentchat.assistant import AssistantAgent, AssistantState
from switchboard.agentchat.handoff import Handoff
from switchboard.agentchat.model_context import (
    BufferedModelContext,
    ModelContext,
    TokenLimitedModelContext,
    UnboundedModelContext,
)

__all__ = [
    "AssistantAgent",
    "AssistantState",
    "BufferedModelContext",
    "Handoff",
    "ModelContext",
    "TokenLimitedModelContext",
    "UnboundedModelContext",
]
