"""`run_stream`: a team run as an async stream of its messages as they happen, then its result (AutoGen's shape).

The run itself is `run_team`, unchanged: the stream only forwards each entry its `on_entry` callback sees through a
queue, so a streamed run and a plain one take the same steps, checkpoints and approvals. The last item is the
`TeamResult` (AutoGen's `TaskResult`); a failing run raises from the stream after the entries produced before it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable

from switchboard.protocol.transcript import TranscriptEntry
from switchboard.teams.result import TeamResult

StreamItem = TranscriptEntry | TeamResult
"""What `run_stream` yields: each message (the task first), then the run's result."""

_DONE = object()


async def stream_run(
    start: Callable[[Callable[[TranscriptEntry], None]], Awaitable[TeamResult]],
) -> AsyncGenerator[StreamItem, None]:
    """Yield each entry `start` reports through its `on_entry` argument as it comes, then the result it returns.

    Args:
        start: Runs the team with the given `on_entry` callback and returns the result.

    Raises:
        Exception: Whatever the run raised, after the entries it produced first.
    """
    queue: asyncio.Queue[object] = asyncio.Queue()

    async def run() -> TeamResult:
        try:
            return await start(queue.put_nowait)
        finally:
            queue.put_nowait(_DONE)

    task = asyncio.ensure_future(run())
    try:
        while (item := await queue.get()) is not _DONE:
            assert isinstance(item, TranscriptEntry)
            yield item
        yield await task
    finally:
        # A consumer that stops early (break, or a closed generator) ends the run rather than leaking it.
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
