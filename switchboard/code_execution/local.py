"""`LocalCommandLineCodeExecutor`: python and sh blocks run on this machine, inside a Linux sandbox.

Unlike AutoGen's executor of the same name, model-written code never runs on the host as the host's user: each
block runs in the bubblewrap sandbox of `switchboard.code_execution.sandbox` (its work directory the only
writable path, no network unless asked for, an address-space cap, an environment without the host's secrets).
Where the sandbox cannot be built the executor says so loudly and refuses to start, unless `allow_unsandboxed`
is set — then it still scrubs the environment and applies the limits, but the code can read and write what this
process can.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from switchboard.agent import CancellationToken
from switchboard.agent.declarative import Declarative
from switchboard.code_execution.errors import (
    ExecutorNotStartedError,
    InvalidCodeRequestError,
    SandboxUnavailableError,
)
from switchboard.code_execution.process import run_process
from switchboard.code_execution.protocol import (
    CANCELLED_EXIT_CODE,
    TIMEOUT_EXIT_CODE,
    CodeBlock,
    CodeResult,
)
from switchboard.code_execution.sandbox import (
    SANDBOX_CODE_DIR,
    SANDBOX_WORK_DIR,
    SandboxPolicy,
    bubblewrap_command,
    probe_bubblewrap,
    resource_limiter,
    sandbox_environment,
)
from switchboard.code_execution.validation import validate_blocks
from switchboard.code_execution.work_dir import changed_files, clear_directory, snapshot

logger = logging.getLogger(__name__)

_INTERPRETERS: dict[str, tuple[str, str]] = {
    "python": ("python", ".py"),
    "py": ("python", ".py"),
    "python3": ("python", ".py"),
    "sh": ("/bin/sh", ".sh"),
    "shell": ("/bin/sh", ".sh"),
    "bash": ("/bin/bash", ".sh"),
}
SUPPORTED_LANGUAGES = tuple(sorted(_INTERPRETERS))
"""The block languages this executor runs (case-insensitive)."""


class LocalCommandLineCodeExecutor(Declarative):
    """Runs python and sh code blocks in a sandbox on this machine, one work directory per executor.

    Args:
        work_dir: The run's work directory (created if missing, kept on `stop`). Default: a fresh temporary
            directory, deleted on `stop`.
        timeout: Seconds a block may run; a block stopped by it gives exit code 124.
        max_output_bytes: Output kept per execution; the rest is dropped with a note.
        max_code_bytes: Largest block accepted; larger ones raise `CodeTooLargeError` before anything runs.
        policy: Network access and resource limits inside the sandbox.
        environment: Variables handed to the code explicitly (nothing else from this process's environment is).
        allow_unsandboxed: Run without the sandbox where it cannot be built (loudly), instead of refusing.
    """

    def __init__(
        self,
        *,
        work_dir: Path | str | None = None,
        timeout: float = 60.0,
        max_output_bytes: int = 64 * 1024,
        max_code_bytes: int = 1024 * 1024,
        policy: SandboxPolicy | None = None,
        environment: Mapping[str, str] | None = None,
        allow_unsandboxed: bool = False,
    ) -> None:
        if timeout <= 0 or max_output_bytes <= 0 or max_code_bytes <= 0:
            raise InvalidCodeRequestError("timeout, max_output_bytes and max_code_bytes must be positive")
        self._requested_work_dir = Path(work_dir) if work_dir is not None else None
        self.timeout = timeout
        self.max_output_bytes = max_output_bytes
        self.max_code_bytes = max_code_bytes
        self.policy = policy or SandboxPolicy()
        self._environment = dict(environment or {})
        self.allow_unsandboxed = allow_unsandboxed
        self._work_dir: Path | None = None
        self._code_dir: Path | None = None
        self._sandboxed = False
        self._counter = 0

    @property
    def work_dir(self) -> Path:
        """The host path of the work directory (the code sees it as `/mnt/data` when sandboxed)."""
        if self._work_dir is None:
            raise ExecutorNotStartedError("the executor is not started: use 'async with' or call start()")
        return self._work_dir

    @property
    def sandboxed(self) -> bool:
        """Whether code runs inside the sandbox (False only when unsandboxed running was allowed and needed)."""
        return self._sandboxed

    async def start(self) -> None:
        """Create the work directory and check the sandbox.

        Raises:
            SandboxUnavailableError: The sandbox cannot be built here and `allow_unsandboxed` is not set.
        """
        if self._work_dir is not None:
            return
        self._code_dir = Path(tempfile.mkdtemp(prefix="switchboard-code-"))
        reason = probe_bubblewrap(self._code_dir)
        if reason is not None:
            message = f"code cannot be sandboxed on this machine: {reason}"
            if not self.allow_unsandboxed:
                shutil.rmtree(self._code_dir, ignore_errors=True)
                self._code_dir = None
                logger.error("%s; refusing to run code (pass allow_unsandboxed=True to run it unsandboxed)", message)
                raise SandboxUnavailableError(message)
            logger.warning("%s; RUNNING MODEL-WRITTEN CODE UNSANDBOXED because allow_unsandboxed=True", message)
            warnings.warn(f"{message}; running code unsandboxed", RuntimeWarning, stacklevel=2)
        self._sandboxed = reason is None
        if self._requested_work_dir is None:
            self._work_dir = Path(tempfile.mkdtemp(prefix="switchboard-run-"))
        else:
            self._requested_work_dir.mkdir(parents=True, exist_ok=True)
            self._work_dir = self._requested_work_dir.resolve()

    async def stop(self) -> None:
        """Delete the code files, and the work directory when the executor created it; idempotent."""
        if self._code_dir is not None:
            shutil.rmtree(self._code_dir, ignore_errors=True)
        if self._work_dir is not None and self._requested_work_dir is None:
            shutil.rmtree(self._work_dir, ignore_errors=True)
        self._work_dir = self._code_dir = None

    async def restart(self) -> None:
        """Empty the work directory (files are the only state a command-line executor keeps)."""
        clear_directory(self.work_dir)

    async def __aenter__(self) -> LocalCommandLineCodeExecutor:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc_val: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        await self.stop()

    def _validate(self, code_blocks: Sequence[CodeBlock]) -> None:
        hint = f"; use one of {', '.join(SUPPORTED_LANGUAGES)}"
        validate_blocks(code_blocks, _INTERPRETERS, self.max_code_bytes, hint)

    async def execute_code_blocks(
        self, code_blocks: Sequence[CodeBlock], cancellation_token: CancellationToken
    ) -> CodeResult:
        """Run the blocks in order in the work directory, stopping at the first that fails.

        Every block is checked before any runs, so a bad one changes nothing.

        Args:
            code_blocks: The blocks.
            cancellation_token: Cancelling it kills the running block (exit code 125).

        Returns:
            Exit code, combined output (capped) and the files the blocks created or changed.

        Raises:
            UnsupportedLanguageError: A block's language is not python or sh.
            CodeTooLargeError: A block is over `max_code_bytes`.
            InvalidCodeRequestError: There are no blocks.
            ExecutorNotStartedError: `start()` was not called.
        """
        work_dir = self.work_dir
        self._validate(code_blocks)
        before = snapshot(work_dir)
        outputs: list[str] = []
        exit_code = 0
        budget = self.max_output_bytes
        for block in code_blocks:
            outcome = await run_process(
                self._command(block),
                env=sandbox_environment(SANDBOX_WORK_DIR if self._sandboxed else str(work_dir), self._environment),
                cwd=str(work_dir),
                deadline_seconds=self.timeout,
                output_cap=max(budget, 0),
                cancellation=cancellation_token,
                preexec=resource_limiter(self.policy),
            )
            budget -= len(outcome.output.encode("utf-8"))
            outputs.append(outcome.output)
            if outcome.truncated:
                outputs.append(f"\n[output truncated: more than {self.max_output_bytes} bytes]\n")
            exit_code = outcome.exit_code
            if outcome.timed_out:
                outputs.append(f"\nTimeout: the block ran longer than {self.timeout:g} s and was stopped\n")
                exit_code = TIMEOUT_EXIT_CODE
            elif outcome.cancelled:
                outputs.append("\nCancelled\n")
                exit_code = CANCELLED_EXIT_CODE
            elif exit_code < 0:
                exit_code = 128 - exit_code  # killed by signal N: report 128+N as a shell does
            if exit_code != 0:
                break
        return CodeResult(exit_code, "".join(outputs), changed_files(before, snapshot(work_dir)))

    def _command(self, block: CodeBlock) -> list[str]:
        assert self._code_dir is not None  # set by start(), checked by work_dir
        interpreter, suffix = _INTERPRETERS[block.language.lower()]
        self._counter += 1
        name = f"block_{self._counter}{suffix}"
        (self._code_dir / name).write_text(block.code, encoding="utf-8")
        program = sys.executable if interpreter == "python" else interpreter
        if not self._sandboxed:
            return [program, str(self._code_dir / name)]
        command = bubblewrap_command(self.work_dir, self._code_dir, self.policy)
        return [*command, program, f"{SANDBOX_CODE_DIR}/{name}"]
