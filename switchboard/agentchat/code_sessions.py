"""Which executor runs a run's code: the run's own session, so its state outlives any one host process.

A hosted agent is built once per process and serves many runs, and any process may handle a run's next message.
So code state (Python variables in a sessions pool, files in a work directory) must be keyed by the run, not held
by the process: an executor that can be scoped (`for_session(run_id)`, or `PerRunExecutor` around a factory) gets
the run id as its session identifier, and the next message of the run — on this host or on another after a crash —
reaches the same session. A plain executor (AutoGen's, say) is shared by every run and started once.

The code-execution errors that mean "this code cannot be run as asked" (unsupported language, too large, bad
request, missing file) come back to the model as a failed result; the others (sandbox or pool unavailable, bad
credential) propagate and are retried or fail the run by their type.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from switchboard.agent import CancellationToken
from switchboard.code_execution import (
    CodeBlock,
    CodeExecutor,
    CodeFile,
    CodeFileNotFoundError,
    CodeResult,
    CodeTooLargeError,
    InvalidCodeRequestError,
    UnsupportedLanguageError,
)

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")

REJECTED = (UnsupportedLanguageError, CodeTooLargeError, InvalidCodeRequestError, CodeFileNotFoundError)
"""Errors about the code itself: the model gets them as a failed result (exit code 1) and may try again."""


@runtime_checkable
class SessionScoped(Protocol):
    """An executor factory keyed by session: the same identifier reaches the same state."""

    def for_session(self, session_id: str) -> CodeExecutor:
        """An executor (not started) whose session identifier is `session_id`."""
        ...


@runtime_checkable
class FileSession(Protocol):
    """An executor whose session holds files it can list and receive (the sessions executor)."""

    async def list_files(self, path: str = "") -> list[CodeFile]:
        """The files in the session."""
        ...

    async def upload_file(self, name: str, content: bytes) -> CodeFile:
        """Put `content` into the session as `name`."""
        ...


class PerRunExecutor:
    """Makes the executor of a run from a factory: `PerRunExecutor(lambda run_id: MyExecutor(session_id=run_id))`.

    Each execution starts the run's executor, runs the blocks and stops it; whatever the executor keeps under the
    session identifier (the pool's Python session, a work directory named after the run) stays for the next one.
    `files` are put into every session that lacks them before its code runs (uploaded to a sessions pool, written
    into a local work directory), so code can read the data it is asked about.
    """

    def __init__(self, factory: Callable[[str], CodeExecutor], *, files: Mapping[str, bytes] | None = None) -> None:
        """Wrap `factory`, which builds an executor for a session identifier."""
        self._factory = factory
        self.files = dict(files or {})

    def for_session(self, session_id: str) -> CodeExecutor:
        """The executor of `session_id`."""
        return self._factory(session_id)

    async def stage(self, executor: CodeExecutor) -> None:
        """Put the missing `files` into the started `executor`'s session."""
        if not self.files:
            return
        if isinstance(executor, FileSession):
            present = {f.name for f in await executor.list_files()}
            for name, content in self.files.items():
                if name not in present:
                    await executor.upload_file(name, content)
            return
        work_dir = getattr(executor, "work_dir", None)
        if not isinstance(work_dir, Path):
            raise InvalidCodeRequestError(
                f"{type(executor).__name__} takes no files: it has no upload_file or work_dir"
            )
        for name, content in self.files.items():
            if not (work_dir / name).exists():
                (work_dir / name).write_bytes(content)


class SharedExecutor:
    """A plain executor shared by every run: started on first use, once."""

    def __init__(self, executor: CodeExecutor) -> None:
        self.executor = executor
        self._started = False
        self._lock = asyncio.Lock()

    async def ensure_started(self) -> CodeExecutor:
        """The executor, started."""
        async with self._lock:
            if not self._started:
                await self.executor.start()
                self._started = True
        return self.executor


async def execute_for_run(
    executor: CodeExecutor | SessionScoped | SharedExecutor,
    session_id: str,
    blocks: Sequence[CodeBlock],
    cancellation: CancellationToken,
) -> CodeResult:
    """Run `blocks` in the session of `session_id` (or on the shared executor) and return the result.

    Raises:
        CodeExecutionError: The execution service failed (the code itself was not at fault).
    """
    try:
        if isinstance(executor, SharedExecutor):
            started = await executor.ensure_started()
            return await started.execute_code_blocks(blocks, cancellation)
        scoped = executor.for_session(session_id) if isinstance(executor, SessionScoped) else executor
        async with scoped:
            if isinstance(executor, PerRunExecutor):
                await executor.stage(scoped)
            return await scoped.execute_code_blocks(blocks, cancellation)
    except REJECTED as error:
        return CodeResult(exit_code=1, output=f"The code was not run: {error}")


def session_of(executor: CodeExecutor | SessionScoped) -> CodeExecutor | SessionScoped | SharedExecutor:
    """How an agent holds `executor`: scoped per run when it can be, else shared and started once."""
    if isinstance(executor, SessionScoped):
        return executor
    return SharedExecutor(executor)


def session_directory(base: Path, session_id: str) -> Path:
    """The directory of a session under `base`: its identifier when that is a plain name, else a hash of it.

    Run ids come from clients (a task message's MessageId), so one such as `../x` must not name a path outside
    `base`.
    """
    if _SAFE_NAME.fullmatch(session_id) and ".." not in session_id:
        return base / session_id
    return base / f"session-{hashlib.sha256(session_id.encode()).hexdigest()[:32]}"
