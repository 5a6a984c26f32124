"""The worker side of an invocation: where user code runs, and the `func.Context` it may ask for.

Async functions run on one dedicated event loop in its own thread (the worker's loop), sync functions in a thread
pool. User code thus never blocks the host's loop, which receives, renews locks and serves the settlement gRPC
calls that the (blocking) `ServiceBusMessageActions` make from inside a function.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import azure.functions as func
import azure.functions._abc as func_abc

from switchboard.hosting.shutdown import run_shutdown_hooks
from switchboard.local_host.validation import IndexedFunction

logger = logging.getLogger("switchboard.host")


class FunctionInvoker:
    """Runs user functions off the host's event loop, with the function timeout of host.json."""

    def __init__(self, max_sync_threads: int | None = None) -> None:
        """Create the worker loop (started by `start`) and the pool for sync functions."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="functions-worker-loop", daemon=True)
        self._pool = ThreadPoolExecutor(max_workers=max_sync_threads, thread_name_prefix="functions-sync")

    def start(self) -> None:
        """Start the worker loop's thread."""
        self._thread.start()

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    async def invoke(self, function: IndexedFunction, arguments: Mapping[str, Any], time_limit: float | None) -> Any:
        """Call ``function`` with ``arguments`` and return its result.

        Args:
            function: The function to call.
            arguments: Its keyword arguments.
            time_limit: Seconds before the invocation counts as failed (an async one is cancelled); None = no limit.

        Returns:
            What the function returned.

        Raises:
            TimeoutError: The function ran longer than ``time_limit``.
            Exception: Whatever the function raised.
        """
        call = function.user_function
        if function.is_async:
            future = asyncio.run_coroutine_threadsafe(call(**arguments), self._loop)
            return await asyncio.wait_for(asyncio.wrap_future(future), time_limit)
        running = asyncio.get_running_loop().run_in_executor(self._pool, functools.partial(call, **arguments))
        return await asyncio.wait_for(running, time_limit)

    async def shutdown_app(self, time_limit: float = 10.0) -> None:
        """On the worker loop: run the app's shutdown hooks, then cancel and await whatever tasks remain there.

        So the SDK clients the app opened close their links and sessions, and no task is destroyed while pending.
        """
        if not self._thread.is_alive():
            return
        future = asyncio.run_coroutine_threadsafe(_close_worker_loop(), self._loop)
        try:
            await asyncio.wait_for(asyncio.wrap_future(future), time_limit)
        except TimeoutError:
            logger.warning("the app's shutdown took longer than %.0fs; stopping anyway", time_limit)

    def close(self) -> None:
        """Stop the worker loop and the pool (threads still inside a sync function are left to finish)."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)


async def _close_worker_loop() -> None:
    await run_shutdown_hooks()
    current = asyncio.current_task()
    leftovers = [task for task in asyncio.all_tasks() if task is not current]
    for task in leftovers:
        task.cancel()
    await asyncio.gather(*leftovers, return_exceptions=True)
    await asyncio.get_running_loop().shutdown_asyncgens()


class _TraceContext(func_abc.TraceContext):
    """No distributed trace from a host span locally: empty W3C values, as the worker gets without one."""

    @property
    def trace_state(self) -> str:
        return ""

    @property
    def trace_parent(self) -> str:
        return ""

    @property
    def attributes(self) -> dict[str, str]:
        return {}


class _RetryContext(func_abc.RetryContext):
    """No retry policy locally (Service Bus triggers redeliver natively instead)."""

    @property
    def retry_count(self) -> int:
        return 0

    @property
    def max_retry_count(self) -> int:
        return 0

    @property
    def exception(self) -> Any:
        return None


class InvocationContext(func.Context):
    """The `context: func.Context` argument of one invocation."""

    _thread_local = threading.local

    def __init__(self, function_name: str, function_directory: Path) -> None:
        """Give the invocation a fresh id."""
        self._invocation_id = str(uuid.uuid4())
        self._function_name = function_name
        self._function_directory = str(function_directory)

    @property
    def invocation_id(self) -> str:
        """A fresh id per invocation."""
        return self._invocation_id

    @property
    def thread_local_storage(self) -> type[threading.local]:
        """The thread-local class the worker exposes."""
        return self._thread_local

    @property
    def function_name(self) -> str:
        """The function's name."""
        return self._function_name

    @property
    def function_directory(self) -> str:
        """The script root."""
        return self._function_directory

    @property
    def trace_context(self) -> func_abc.TraceContext:
        """Empty W3C trace context (no host span locally)."""
        return _TraceContext()

    @property
    def retry_context(self) -> func_abc.RetryContext:
        """No retries (Service Bus redelivers instead)."""
        return _RetryContext()
