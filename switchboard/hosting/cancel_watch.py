"""`watch_cancellation`: while a handler runs, poll its run document and set the handler's token on a cancel.

`POST /api/runs/{id}/cancel` only changes the run document (no process of the run is reachable: any instance may
be handling its message). Between steps that is enough — the next message finds the run ended. A long step (a
tool waiting on something slow) would not notice, so while the handler works the processor reads the run's status
every `interval` seconds and sets the `CancellationToken` the handler's context, its model calls and its tools
hold. A handler that ends before the first interval costs no read.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from switchboard.agent import CancellationToken
from switchboard.hosting.ports import RunDocuments
from switchboard.hosting.run_status import RunStatus

DEFAULT_POLL_SECONDS = 2.0
"""How often a running handler's run document is read for a cancel."""


@contextlib.asynccontextmanager
async def watch_cancellation(
    runs: RunDocuments, run_id: str, token: CancellationToken, *, interval: float = DEFAULT_POLL_SECONDS
) -> AsyncIterator[CancellationToken]:
    """Set `token` when `run_id`'s document says `cancelled`, until the block exits."""

    async def poll() -> None:
        while not token.is_cancelled:
            await asyncio.sleep(interval)
            try:
                run = await runs.read_run(run_id)
            except Exception:  # a failed read is retried at the next interval; the handler goes on
                continue
            if run is not None and run.get("status") == RunStatus.CANCELLED:
                token.cancel()

    watcher = asyncio.ensure_future(poll())
    try:
        yield token
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
