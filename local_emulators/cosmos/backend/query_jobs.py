"""Query evaluation off the event loop, under a per-page execution budget, as the service pages slow queries.

Azure Cosmos DB gives each page of a query a bounded execution time; when it runs out the page comes
back short (often empty) with a continuation, and the SDK asks again. The emulator does the same: a
query runs in a worker thread over a snapshot of the records taken on the event loop, and the request
waits for it at most `PAGE_BUDGET_SECONDS` (the wait releases the GIL, so the worker runs at full
speed). If the query is not finished, the page is empty and its continuation names the running job;
the next request waits on the same job. Other requests are served between pages, so no query, however
slow, stalls the emulator for longer than one budget. A job nobody asks for within
`ABANDON_AFTER_SECONDS` stops at its next document.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from local_emulators.cosmos.errors import BadRequestError

PAGE_BUDGET_SECONDS = 0.05
ABANDON_AFTER_SECONDS = 30.0
_WORKERS = 4
_CHECK_EVERY = 64
Guard = Callable[[Iterable[Any]], Iterator[Any]]


class _AbandonedError(Exception):
    """No client has asked for this job's result for a long time: stop working on it."""


@dataclass
class _Job:
    future: Future[Any]
    last_poll: float = field(default_factory=time.monotonic)


class QueryJobs:
    """Runs query evaluations in worker threads and hands back results within a time budget per request."""

    def __init__(self, budget: float = PAGE_BUDGET_SECONDS) -> None:
        self.budget = budget
        self._executor: ThreadPoolExecutor | None = None
        self._jobs: dict[Hashable, _Job] = {}
        self._lock = threading.Lock()

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="cosmos-query")
        return self._executor

    def result(self, key: Hashable, work: Callable[[Guard], Any]) -> tuple[bool, Any]:
        """Wait up to the budget for the job `key`, starting it with `work` if it is not running.

        Args:
            key: Identifies the query run (container, query, parameters, snapshot).
            work: Computes the result; it must pass every iterable of documents it scans through the
                callable it is given, which stops the job once it is abandoned.

        Returns:
            `(True, result)` when the job finished, `(False, None)` when the budget ran out first.

        Raises:
            Whatever `work` raised (the job is then forgotten).
        """
        with self._lock:
            job = self._jobs.get(key)
            if job is None:
                job = _Job(Future())
                job.future = self._pool().submit(work, self._guard(job))
                self._jobs[key] = job
            job.last_poll = time.monotonic()
        try:
            value = job.future.result(timeout=self.budget)
        except FutureTimeout:
            return False, None
        except _AbandonedError as exc:  # polled again after it gave up: the caller may simply retry
            self._forget(key)
            raise BadRequestError("The query was abandoned for lack of requests; run it again.") from exc
        except BaseException:
            self._forget(key)
            raise
        self._forget(key)
        return True, value

    def _forget(self, key: Hashable) -> None:
        with self._lock:
            self._jobs.pop(key, None)

    @staticmethod
    def _guard(job: _Job) -> Guard:
        def guarded(items: Iterable[Any]) -> Iterator[Any]:
            for index, item in enumerate(items):
                if index % _CHECK_EVERY == 0 and time.monotonic() - job.last_poll > ABANDON_AFTER_SECONDS:
                    raise _AbandonedError
                yield item

        return guarded

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._jobs

    def clear(self) -> None:
        """Forget every job (running ones finish on their own or stop when abandoned)."""
        with self._lock:
            self._jobs.clear()
