"""The code-executor protocol, shaped like AutoGen 0.7's `autogen_core.code_executor`.

`CodeBlock` and `CodeResult` are dataclasses with AutoGen's field names and order, so code written against AutoGen
reads the same here; `CodeResult` adds `files`, the files the code produced or changed in its work directory.
`CodeExecutor` is a structural protocol: anything with these methods (including AutoGen's own executors, which
lack only `files` on their results) plugs in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from switchboard.agent import CancellationToken

TIMEOUT_EXIT_CODE = 124
"""The exit code of a block stopped by the executor's timeout (as coreutils `timeout` reports it)."""

CANCELLED_EXIT_CODE = 125
"""The exit code of a block stopped because its cancellation token was cancelled (as AutoGen reports it)."""


@dataclass(frozen=True)
class CodeBlock:
    """A code block extracted from an agent message.

    Attributes:
        code: The source text.
        language: Its language as written after the fence (``python``, ``sh``, ``bash`` …), case-insensitive.
    """

    code: str
    language: str


@dataclass(frozen=True)
class CodeFile:
    """A file the code left in its work directory.

    Attributes:
        name: Its path relative to the work directory (``/mnt/data`` in a session), with ``/`` separators.
        size: Its size in bytes.
    """

    name: str
    size: int


@dataclass(frozen=True)
class CodeResult:
    """The result of executing code blocks.

    Attributes:
        exit_code: 0 on success; the failing block's exit code otherwise (124 on timeout, 125 on cancellation).
        output: The blocks' combined stdout and stderr (truncated at the executor's output cap, with a note).
        files: The files produced or changed by this execution, sorted by name.
    """

    exit_code: int
    output: str
    files: list[CodeFile] = field(default_factory=list)


@runtime_checkable
class CodeExecutor(Protocol):
    """Executes code blocks and returns the result; use it as an async context manager."""

    async def execute_code_blocks(
        self, code_blocks: Sequence[CodeBlock], cancellation_token: CancellationToken
    ) -> CodeResult:
        """Execute `code_blocks` in order, stopping at the first that fails.

        Args:
            code_blocks: The blocks to run.
            cancellation_token: Cancelling it stops the running block (the result's exit code is 125).

        Returns:
            The combined result.

        Raises:
            UnsupportedLanguageError: A block's language is not supported (nothing ran).
            CodeTooLargeError: A block exceeds the size limit (nothing ran).
            CodeExecutionError: The execution service failed.
        """
        ...

    async def start(self) -> None:
        """Acquire resources (a work directory, a session, a token)."""
        ...

    async def stop(self) -> None:
        """Release resources; idempotent."""
        ...

    async def restart(self) -> None:
        """Drop all state (variables, files) and start afresh; called when the agent is reset."""
        ...

    async def __aenter__(self) -> Self:
        """Start the executor."""
        ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        """Stop the executor."""
        ...
