"""Chat agents, tools that run code, and the windowed model contexts.

`AssistantAgent`, `UserProxyAgent` (a person's turns, durable), `CodeExecutorAgent` and `PythonCodeExecutionTool`
(code runs approved, once, in the run's session).
"""

from switchboard.agentchat.assistant import AssistantAgent, AssistantState
from switchboard.agentchat.code_approval import ApprovalFunc, ApprovalRequest, ApprovalResponse
from switchboard.agentchat.code_executor_agent import CodeExecutorAgent, CodeExecutorState
from switchboard.agentchat.code_sessions import PerRunExecutor
from switchboard.agentchat.code_tool import PythonCodeExecutionTool
from switchboard.agentchat.handoff import Handoff
from switchboard.agentchat.model_context import (
    BufferedModelContext,
    ModelContext,
    TokenLimitedModelContext,
    UnboundedModelContext,
)
from switchboard.agentchat.user_proxy import UserProxyAgent

__all__ = [
    "ApprovalFunc",
    "ApprovalRequest",
    "ApprovalResponse",
    "AssistantAgent",
    "AssistantState",
    "BufferedModelContext",
    "CodeExecutorAgent",
    "CodeExecutorState",
    "Handoff",
    "ModelContext",
    "PerRunExecutor",
    "PythonCodeExecutionTool",
    "TokenLimitedModelContext",
    "UnboundedModelContext",
    "UserProxyAgent",
]
