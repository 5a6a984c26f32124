"""`CosmosStaleRuns`: the sweeper's two requests on the runs container (`switchboard.hosting.sweeper.StaleRuns`).

The query crosses partitions but stays cheap: it filters on indexed scalar fields of run documents only
(`type = 'run' AND status IN (...) AND updated_at < @cutoff`, the default indexing policy indexes every path),
projects three fields and stops at `TOP @limit`; most runs are ended, so the matches are few. Each failure is one
conditional patch in the run's partition.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from azure.core.exceptions import AzureError
from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import CosmosHttpResponseError

from switchboard.state.errors import store_error
from switchboard.state.run_documents import utc_now

_STATUS = re.compile(r"^[a-z_]{1,32}$")
# Timestamps are written by `isoformat()`; anything else is not put into a filter predicate.
_TIMESTAMP = re.compile(r"^[0-9T:.+\-Z]{10,40}$")


def stale_query(statuses: Sequence[str]) -> str:
    """The sweeper's query: an `IN` list of status literals (an equality set the index serves), a range on time.

    Raises:
        ValueError: A status is not a plain lower-case word (it is written into the query text).
    """
    if not statuses or not all(_STATUS.match(status) for status in statuses):
        raise ValueError(f"statuses must be lower-case words, got {list(statuses)!r}")
    listed = ", ".join(f"'{status}'" for status in statuses)
    return (
        "SELECT TOP @limit c.id, c.status, c.updated_at FROM c "
        f"WHERE c.type = 'run' AND c.status IN ({listed}) AND c.updated_at < @cutoff ORDER BY c.updated_at"
    )


class CosmosStaleRuns:
    """Stale active runs of the runs container, and their conditional failure."""

    def __init__(self, container: ContainerProxy, *, now: Callable[[], datetime] = utc_now) -> None:
        """Wrap the runs container."""
        self.container = container
        self._now = now

    async def stale_runs(self, statuses: Sequence[str], cutoff: str, limit: int) -> list[Mapping[str, Any]]:
        """Run documents in `statuses` whose `updated_at` is before `cutoff`, oldest first (across partitions)."""
        parameters: list[dict[str, Any]] = [{"name": "@limit", "value": limit}, {"name": "@cutoff", "value": cutoff}]
        try:
            query = stale_query(statuses)
            return [dict(doc) async for doc in self.container.query_items(query, parameters=parameters)]
        except AzureError as error:
            raise store_error(error, "query stale runs") from error

    async def fail_if_unchanged(self, run_id: str, updated_at: str, error: str) -> bool:
        """Set the run `failed` with `error` unless it moved (ended, or a hop committed) since it was read."""
        if not _TIMESTAMP.match(updated_at):
            return False
        condition = f"from c where c.status IN ('queued', 'running') AND c.updated_at = '{updated_at}'"
        operations = [
            {"op": "set", "path": "/status", "value": "failed"},
            {"op": "set", "path": "/error", "value": error},
            {"op": "set", "path": "/updated_at", "value": self._now().isoformat()},
        ]
        try:
            await self.container.patch_item(
                run_id, partition_key=run_id, patch_operations=operations, filter_predicate=condition
            )
        except CosmosHttpResponseError as failure:
            if failure.status_code in (404, 412):
                return False
            raise store_error(failure, f"fail stranded run {run_id}") from failure
        except AzureError as failure:
            raise store_error(failure, f"fail stranded run {run_id}") from failure
        return True
