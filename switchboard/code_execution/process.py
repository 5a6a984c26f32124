"""Run one child process with a deadline, a cancellation token and a cap on the output kept.

The child gets its own session (process group), so a timeout or a cancellation kills it and everything it
started; output beyond the cap is read and dropped, so a chatty child neither blocks on a full pipe nor fills
memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from switchboard.agent import CancellationToken

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ProcessOutcome:
    """How a child ended.

    Attributes:
        exit_code: Its exit code (negative signal number when killed by a signal it did not choose).
        output: Its stdout and stderr interleaved, decoded as UTF-8, at most the cap.
        truncated: Whether output beyond the cap was dropped.
        timed_out: Whether the deadline killed it.
        cancelled: Whether the cancellation token killed it.
    """

    exit_code: int
    output: str
    truncated: bool
    timed_out: bool
    cancelled: bool


async def _read_capped(stream: asyncio.StreamReader, cap: int, kept: bytearray) -> bool:
    truncated = False
    while chunk := await stream.read(_CHUNK):
        room = cap - len(kept)
        if room > 0:
            kept.extend(chunk[:room])
        truncated = truncated or len(chunk) > room
    return truncated


def _kill_group(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


async def run_process(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: str,
    deadline_seconds: float,
    output_cap: int,
    cancellation: CancellationToken,
    preexec: Callable[[], None] | None = None,
) -> ProcessOutcome:
    """Run `argv` to completion, the deadline, or cancellation, whichever comes first.

    Args:
        argv: The command.
        env: Its complete environment.
        cwd: Its working directory (on the host).
        deadline_seconds: Seconds before it is killed.
        output_cap: Bytes of output kept.
        cancellation: Cancelling it kills the child at once.
        preexec: Run in the child before exec (resource limits).

    Returns:
        The outcome.
    """
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=dict(env),
        cwd=cwd,
        start_new_session=True,
        preexec_fn=preexec,
    )
    assert process.stdout is not None  # PIPE was asked for
    kept = bytearray()
    cancelled = asyncio.Event()
    on_cancel = cancelled.set
    cancellation.add_callback(on_cancel)
    reader = asyncio.ensure_future(_read_capped(process.stdout, output_cap, kept))
    finished: asyncio.Future[Any] = asyncio.ensure_future(asyncio.gather(reader, process.wait()))
    stopper: asyncio.Future[Any] = asyncio.ensure_future(cancelled.wait())
    try:
        done, _ = await asyncio.wait({finished, stopper}, timeout=deadline_seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        cancellation.remove_callback(on_cancel)
        stopper.cancel()
    timed_out = not done
    was_cancelled = stopper in done and finished not in done
    if timed_out or was_cancelled:
        _kill_group(process)
    # The group is dead or the child exited: the pipe closes once every holder of it is gone.
    try:
        truncated, exit_code = await asyncio.wait_for(finished, timeout=10)
    except TimeoutError:
        # A grandchild escaped the group and holds the pipe open: stop reading, keep what we have.
        reader.cancel()
        truncated, exit_code = True, await process.wait()
    return ProcessOutcome(
        exit_code=exit_code,
        output=kept.decode("utf-8", errors="replace"),
        truncated=truncated,
        timed_out=timed_out,
        cancelled=was_cancelled,
    )
