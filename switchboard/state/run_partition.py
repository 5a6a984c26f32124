"""`CosmosRunPartition`: what `switchboard runs resume` reads of a run's partition, and its reopening.

One query in the run's partition reads the run document, the state items' agents, the outboxes and the inbox marks
(`switchboard.hosting.resume.CommittedRun`); the reopening is one conditional patch (`failed` → `running`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from azure.core.exceptions import AzureError
from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import CosmosHttpResponseError

from switchboard.hosting.resume import CommittedRun
from switchboard.hosting.run_status import RunStatus
from switchboard.messages import Envelope
from switchboard.state import items
from switchboard.state.errors import store_error
from switchboard.state.run_documents import utc_now

_COMMITTED = "SELECT * FROM c WHERE c.type IN ('run', 'state', 'outbox', 'inbox')"


class CosmosRunPartition:
    """A run's committed state in the runs container."""

    def __init__(self, container: ContainerProxy, *, now: Callable[[], datetime] = utc_now) -> None:
        """Wrap the runs container."""
        self.container = container
        self._now = now

    async def committed(self, run_id: str) -> CommittedRun:
        """The run document, who has state, every committed outbox's envelopes and every inbox mark."""
        try:
            found = [doc async for doc in self.container.query_items(_COMMITTED, partition_key=run_id)]
        except AzureError as error:
            raise store_error(error, f"read the committed state of run {run_id}") from error
        run: dict[str, Any] | None = None
        agents: set[str] = set()
        sent: list[Envelope] = []
        handled: set[tuple[str, str]] = set()
        for doc in found:
            kind, item_id = doc.get("type"), str(doc.get("id"))
            if kind == "run":
                run = items.public_fields(doc)
            elif kind == "state":
                agents.add(str(doc.get("agent")))
            elif kind == "outbox":
                sent.extend(items.envelopes_of(doc))
            elif kind == "inbox":
                # `inbox:<agent>:<message id>`: agent names have no colon, message ids may.
                agent, _, message_id = item_id.removeprefix("inbox:").partition(":")
                handled.add((agent, message_id))
        return CommittedRun(run, frozenset(agents), tuple(sent), frozenset(handled))

    async def reopen(self, run_id: str) -> bool:
        """Set the run `running` again if it is still `failed` (its error cleared); whether it did."""
        operations: list[dict[str, Any]] = [
            {"op": "set", "path": "/status", "value": RunStatus.RUNNING.value},
            {"op": "set", "path": "/error", "value": None},
            {"op": "set", "path": "/updated_at", "value": self._now().isoformat()},
        ]
        try:
            await self.container.patch_item(
                run_id,
                partition_key=run_id,
                patch_operations=operations,
                filter_predicate=f"from c where c.status = '{RunStatus.FAILED.value}'",
            )
        except CosmosHttpResponseError as error:
            if error.status_code in (404, 412):
                return False
            raise store_error(error, f"reopen run {run_id}") from error
        except AzureError as error:
            raise store_error(error, f"reopen run {run_id}") from error
        return True
