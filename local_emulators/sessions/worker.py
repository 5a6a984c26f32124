"""One session's kernel process: started on first use, fed one execution at a time, killed on timeout or expiry."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_emulators.sessions.sandbox import SandboxLimits, bubblewrap_argv, kernel_environment, limiter

_KERNEL_SOURCE = (Path(__file__).parent / "kernel.py").read_text(encoding="utf-8")
_READ_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True)
class KernelReply:
    """What one execution produced.

    Attributes:
        stdout: The code's standard output (capped).
        stderr: Its standard error, with a traceback when it raised (capped).
        result: The value of a trailing expression (a JSON scalar, or its repr), or None.
        failed: Whether it raised (or exited non-zero).
        timed_out: Whether it was stopped by the timeout (the kernel was killed: its variables are gone).
    """

    stdout: str
    stderr: str
    result: Any
    failed: bool
    timed_out: bool = False


class SessionKernel:
    """The sandboxed Python kernel of one session."""

    def __init__(self, session_dir: Path, limits: SandboxLimits) -> None:
        self._session_dir = session_dir
        self._limits = limits
        self._process: asyncio.subprocess.Process | None = None

    async def _ensure_started(self) -> asyncio.subprocess.Process:
        if self._process is None or self._process.returncode is not None:
            argv = [*bubblewrap_argv(self._session_dir, self._limits), sys.executable, "-I", "-u", "-c", _KERNEL_SOURCE]
            self._process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                env=kernel_environment(),
                cwd=str(self._session_dir),
                start_new_session=True,
                preexec_fn=limiter(self._limits),
                limit=_READ_LIMIT,
            )
        return self._process

    async def execute(self, code: str, seconds: float, max_output: int) -> KernelReply:
        """Run `code` in the session's namespace.

        Args:
            code: Python source.
            seconds: Seconds before the kernel is killed (the reply then says `timed_out`).
            max_output: Characters kept of stdout and of stderr.

        Returns:
            The reply.
        """
        process = await self._ensure_started()
        assert process.stdin is not None  # PIPEs were asked for
        assert process.stdout is not None
        request = json.dumps({"code": code, "max_output": max_output}) + "\n"
        try:
            process.stdin.write(request.encode("utf-8"))
            await process.stdin.drain()
            line = await asyncio.wait_for(process.stdout.readline(), seconds)
        except TimeoutError:
            await self.stop()
            message = f"Execution timed out after {seconds:g} seconds; the session's Python state was reset.\n"
            return KernelReply("", message, None, failed=True, timed_out=True)
        except (ConnectionError, ValueError):
            line = b""
        if not line:
            code_ = await self.stop()
            message = f"The Python process of the session ended (exit code {code_}); its state was reset.\n"
            return KernelReply("", message, None, failed=True)
        reply = json.loads(line)
        stderr = reply["stderr"] + ("\n[output truncated]\n" if reply["truncated"] else "")
        return KernelReply(reply["stdout"], stderr, reply["result"], bool(reply["failed"]))

    async def stop(self) -> int | None:
        """Kill the kernel and everything it started; returns its exit code (None when none ran)."""
        process, self._process = self._process, None
        if process is None:
            return None
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        return await process.wait()
