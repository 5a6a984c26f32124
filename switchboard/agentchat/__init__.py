"""Chat agents: `AssistantAgent` (model + tools + structured output) and its windowed model contexts."""

from switchboard.agentchat.assistant import AssistantAgent, AssistantState
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
    "ModelContext",
    "TokenLimitedModelContext",
    "UnboundedModelContext",
]
