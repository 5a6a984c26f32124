"""The `sweeper` function: a timer trigger that ends stranded runs (`switchboard.hosting.sweeper`).

Its schedule is the app setting `SweeperSchedule` (an NCRONTAB expression with seconds, e.g. `0 */5 * * * *`
for every five minutes; Bicep sets it; without it, every five minutes), so a deployment or a test changes it
without code. The Functions host runs one sweep at a time across all instances (timer triggers hold a singleton
lock), and `switchboard host` runs it on the same schedule.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import azure.functions as func

from switchboard.functions.runtime import HostedRuntime
from switchboard.hosting.lifecycle_settings import RunLifecycleSettings
from switchboard.hosting.sweeper import SweepReport, sweep
from switchboard.state import CosmosStaleRuns

logger = logging.getLogger("switchboard.hosting")

SWEEPER_FUNCTION = "sweeper"
SCHEDULE_SETTING = "SweeperSchedule"
"""The app setting holding the sweeper's NCRONTAB schedule."""
DEFAULT_SCHEDULE = "0 */5 * * * *"
"""Every five minutes: the schedule when `SweeperSchedule` is not set (an older local.settings.json)."""


def sweeper_schedule(environ: Mapping[str, str] | None = None) -> str:
    """The trigger's schedule: `%SweeperSchedule%` when the setting exists, else `DEFAULT_SCHEDULE`.

    The worker indexes the app with the app settings in its environment, so the choice is made there; an app whose
    settings predate the sweeper keeps starting instead of failing on an unresolved `%SweeperSchedule%`.
    """
    values = os.environ if environ is None else environ
    return f"%{SCHEDULE_SETTING}%" if values.get(SCHEDULE_SETTING) else DEFAULT_SCHEDULE


async def sweep_stranded_runs(runtime: HostedRuntime, settings: RunLifecycleSettings | None = None) -> SweepReport:
    """One sweep over the runs of the process's store, announcing failures on its publisher."""
    settings = settings or RunLifecycleSettings()
    processor = await runtime.processor()
    store = await runtime.store()
    return await sweep(
        CosmosStaleRuns(store.container),
        processor.publisher,
        now=datetime.now(UTC),
        stale_after=timedelta(seconds=settings.stale_after_seconds),
        limit=settings.sweep_limit,
    )


def register_sweeper(app: func.FunctionApp, runtime: HostedRuntime) -> None:
    """Add the `sweeper` timer function to `app`."""
    settings = RunLifecycleSettings()

    @app.function_name(SWEEPER_FUNCTION)
    @app.timer_trigger(arg_name="timer", schedule=sweeper_schedule(), run_on_startup=False)
    async def sweeper(timer: func.TimerRequest) -> None:
        report = await sweep_stranded_runs(runtime, settings)
        if report.found:
            logger.info(
                "sweep: %d stale, %d failed, %d moved meanwhile%s",
                report.found,
                len(report.failed),
                len(report.moved),
                " (past due)" if timer.past_due else "",
            )
