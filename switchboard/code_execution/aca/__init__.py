"""The Azure Container Apps dynamic sessions executor (the adapter that imports azure-identity)."""

from switchboard.code_execution.aca.executor import ACADynamicSessionsCodeExecutor
from switchboard.code_execution.aca.tokens import SESSIONS_SCOPE, TokenSource

__all__ = ["SESSIONS_SCOPE", "ACADynamicSessionsCodeExecutor", "TokenSource"]
