"""The stranded-run sweeper: ends `failed` every active run that has made no progress for too long.

A run is stranded when nothing will ever move it again: its next message was lost to a fault the processor never
saw (Service Bus dead-lettered it after the host was killed on its last delivery, it expired in a queue whose
agent a deploy removed, the store was down while a dead letter tried to fail its run). The run document tells:
every committed hop sets `updated_at`, so a run that is `queued` or `running` with `updated_at` older than the
threshold has committed nothing for that long. Runs that wait on purpose are left alone: `awaiting_input` (a human
may take days; a question's timeout is a scheduled message that will arrive) and every ended run.

The sweeper fails such a run rather than re-driving it, on purpose: a run that stalled once usually stalls again
(its message is in a dead-letter queue for a reason), and re-driving automatically could repeat model calls the
user pays for on a loop. A `failed` run with the reason is visible (a `failed` event, `runs list`), and
`switchboard runs resume` re-drives it from its last committed state when someone decides to
(`switchboard.hosting.resume`).

The threshold must exceed the longest silent stretch of a healthy run: `functionTimeout` (one hop's handler) plus
the transient-fault retry budget; `RunLifecycleSettings.stale_after_seconds` defaults to two hours. A hop that
commits while the sweeper decides is safe: the failure is conditional on `updated_at` being unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from switchboard.hosting.ports import RunEvents
from switchboard.hosting.run_status import RunStatus

logger = logging.getLogger("switchboard.hosting")

SWEPT_STATUSES: tuple[RunStatus, ...] = (RunStatus.QUEUED, RunStatus.RUNNING)
"""The statuses of a run that should be moving on its own (not `awaiting_input`, not ended)."""


class StaleRuns(Protocol):
    """The two requests a sweep makes (`switchboard.state.CosmosStaleRuns` is one)."""

    async def stale_runs(self, statuses: Sequence[str], cutoff: str, limit: int) -> list[Mapping[str, Any]]:
        """Run documents (`id`, `status`, `updated_at`) in `statuses` with `updated_at < cutoff`, oldest first."""
        ...

    async def fail_if_unchanged(self, run_id: str, updated_at: str, error: str) -> bool:
        """Fail the run if it is still active and its `updated_at` is still `updated_at`; whether it did."""
        ...


@dataclass
class SweepReport:
    """What one sweep did.

    Attributes:
        found: Stale runs the query returned.
        failed: Runs this sweep ended `failed`.
        moved: Runs that committed progress (or ended) between the query and the failure: left alone.
    """

    found: int = 0
    failed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)


def stranded_reason(status: str, updated_at: str, stale_after: timedelta) -> str:
    """The `error` a swept run gets: what was seen and what to do about it."""
    return (
        f"stranded: {status} with no committed progress since {updated_at} "
        f"(more than {int(stale_after.total_seconds())} s) and nothing in flight; "
        "its last message may be in a dead-letter queue (switchboard dlq list); "
        "switchboard runs resume re-drives it from its last committed state"
    )


async def sweep(
    runs: StaleRuns, events: RunEvents, *, now: datetime, stale_after: timedelta, limit: int = 100
) -> SweepReport:
    """End `failed` each run that has been active without progress for longer than `stale_after`.

    Args:
        runs: The stale-run queries.
        events: Where each failure is announced (`failed` on `run-events`).
        now: The current time.
        stale_after: How long an active run may go without a committed hop.
        limit: The most runs one sweep looks at (the next sweep takes the rest).

    Returns:
        The report.
    """
    cutoff = (now - stale_after).isoformat()
    report = SweepReport()
    found = await runs.stale_runs([status.value for status in SWEPT_STATUSES], cutoff, limit)
    report.found = len(found)
    for run in found:
        run_id, updated_at, status = str(run["id"]), str(run.get("updated_at")), str(run.get("status"))
        if await runs.fail_if_unchanged(run_id, updated_at, stranded_reason(status, updated_at, stale_after)):
            report.failed.append(run_id)
            failed = RunStatus.FAILED
            # Keyed by the stale timestamp: a second sweeper instance announcing the same failure is a duplicate.
            await events.publish_event(run_id, failed, event_id=f"{run_id}/swept/{updated_at}/{failed}")
            logger.warning("run %s was stranded (%s since %s): failed", run_id, status, updated_at)
        else:
            report.moved.append(run_id)
    return report
