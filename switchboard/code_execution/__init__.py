"""Code execution: the executor protocol, a sandboxed local executor, and the Azure Container Apps sessions one.

The Azure executor lives in `switchboard.code_execution.aca_sessions` (it imports azure-identity) and is not
re-exported here, so importing the protocol never pulls in an Azure SDK.
"""

from switchboard.code_execution.errors import (
    CodeExecutionError,
    CodeExecutionTimeoutError,
    CodeFileNotFoundError,
    CodeTooLargeError,
    ExecutorNotStartedError,
    InvalidCodeRequestError,
    SandboxUnavailableError,
    SessionsAuthError,
    SessionsUnavailableError,
    UnsupportedLanguageError,
)
from switchboard.code_execution.protocol import (
    CANCELLED_EXIT_CODE,
    TIMEOUT_EXIT_CODE,
    CodeBlock,
    CodeExecutor,
    CodeFile,
    CodeResult,
)

__all__ = [
    "CANCELLED_EXIT_CODE",
    "TIMEOUT_EXIT_CODE",
    "CodeBlock",
    "CodeExecutionError",
    "CodeExecutionTimeoutError",
    "CodeExecutor",
    "CodeFile",
    "CodeFileNotFoundError",
    "CodeResult",
    "CodeTooLargeError",
    "ExecutorNotStartedError",
    "InvalidCodeRequestError",
    "SandboxUnavailableError",
    "SessionsAuthError",
    "SessionsUnavailableError",
    "UnsupportedLanguageError",
]
