"""Chat agents: `AssistantAgent`, `UserProxyAgent` (a person's turns, durable) and the windowed model contexts."""

from switchboard.agentchat.assistant import AssistantAgent, AssistantState
from switchboard.agentchat.handoff import Handoff
from switchboard.agentchat.model_context import (
    BufferedModelContext,
    ModelContext,
    TokenLimitedModelContext,
    UnboundedModelContext,
)
from switchboard.agentchat.user_proxy import UserProxyAgent

__all__ = [
    "AssistantAgent",
    "AssistantState",
    "BufferedModelContext",
    "Handoff",
    "ModelContext",
    "TokenLimitedModelContext",
    "UnboundedModelContext",
    "UserProxyAgent",
]
