"""The code-execution component's errors: one root, subtypes by cause, each carrying what a host must do.

An executor raises these only for failures of the *execution service* or of the *request* — code that runs and
fails is not an error, it is a `CodeResult` with a non-zero exit code (and a timeout is exit code 124), so the
agent can show the model its mistake.
"""

from __future__ import annotations

from switchboard.errors import PermanentError, SwitchboardError, TransientError


class CodeExecutionError(SwitchboardError):
    """Root of every error a code executor raises."""


class UnsupportedLanguageError(CodeExecutionError, PermanentError):
    """A code block names a language the executor does not run; nothing was executed."""


class CodeTooLargeError(CodeExecutionError, PermanentError):
    """The code (or an uploaded file) exceeds the executor's size limit; nothing was executed."""


class CodeFileNotFoundError(CodeExecutionError, PermanentError):
    """A file asked for (download, delete, or a local file to upload) does not exist; nothing changed."""


class InvalidCodeRequestError(CodeExecutionError, PermanentError):
    """A request the executor cannot accept: no code blocks, a bad file name, a bad setting."""


class SandboxUnavailableError(CodeExecutionError, PermanentError):
    """The sandbox cannot be built here (no user namespaces, no bubblewrap) and running unsandboxed was not allowed."""


class ExecutorNotStartedError(CodeExecutionError, PermanentError):
    """The executor was used before `start()` or after `stop()`."""


class CodeExecutionTimeoutError(CodeExecutionError, PermanentError):
    """The execution service gave up on the request itself (the code's own timeout is exit code 124, not this)."""


class SessionsAuthError(CodeExecutionError, PermanentError):
    """The sessions pool refused the credential (401/403): a configuration fault no retry fixes."""


class SessionsUnavailableError(CodeExecutionError, TransientError):
    """The sessions pool could not be reached or answered 429/5xx: retrying may succeed."""
