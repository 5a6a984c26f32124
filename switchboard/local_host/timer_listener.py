"""Runs a timer-triggered function on its schedule, as the Functions host does (one invocation at a time).

The schedule comes from the trigger's `schedule` (`%Setting%` resolved from the app settings); `runOnStartup`
runs it once at start. An invocation that starts later than a second after its due time gets `past_due = True`.
A failing invocation is logged and the next occurrence runs as planned, like the host.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.functions.timer import TimerRequest

from switchboard.local_host.app_settings import AppSettings
from switchboard.local_host.invoker import FunctionInvoker
from switchboard.local_host.timer_schedule import Schedule
from switchboard.local_host.validation import IndexedFunction

logger = logging.getLogger("switchboard.host")
_PAST_DUE = timedelta(seconds=1)


class TimerListener:
    """One timer-triggered function and its schedule."""

    def __init__(
        self,
        function: IndexedFunction,
        settings: AppSettings,
        invoker: FunctionInvoker,
        context_factory: Callable[[], Any],
        stopping: asyncio.Event,
        function_timeout: timedelta | None,
    ) -> None:
        """Parse the schedule now, so a bad one stops the host at start-up.

        Raises:
            AppLoadError: The schedule is invalid.
            SettingMissingError: The schedule names a setting that is not set.
        """
        self.function = function
        schedule = settings.resolve(str(function.trigger.get("schedule", "")), f"schedule of function {function.name}")
        self.schedule = Schedule.parse(schedule)
        self.invocations = 0
        self._invoker = invoker
        self._context_factory = context_factory
        self._stopping = stopping
        self._timeout = function_timeout.total_seconds() if function_timeout else None
        self._run_on_startup = bool(function.trigger.get("runOnStartup", False))
        self.in_flight: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        """Invoke the function at each occurrence until the host stops."""
        if self._run_on_startup:
            await self._invoke(past_due=False)
        while not self._stopping.is_set():
            due = self.schedule.next_after(datetime.now(UTC))
            delay = (due - datetime.now(UTC)).total_seconds()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), max(delay, 0.0))
            if self._stopping.is_set():
                return
            await self._invoke(past_due=datetime.now(UTC) - due > _PAST_DUE)

    async def _invoke(self, *, past_due: bool) -> None:
        arguments: dict[str, Any] = {str(self.function.trigger["name"]): TimerRequest(past_due=past_due)}
        arguments |= {name: self._context_factory() for name in self.function.unbound}
        task = asyncio.create_task(self._invoker.invoke(self.function, arguments, self._timeout))
        self.in_flight.add(task)
        try:
            await task
            self.invocations += 1
        except Exception as error:  # the host logs a failed timer invocation and keeps the schedule
            logger.warning("function %s failed: %s: %s", self.function.name, type(error).__name__, error)
        finally:
            self.in_flight.discard(task)
