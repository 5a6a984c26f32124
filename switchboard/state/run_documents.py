"""Run documents and run views on Cosmos: create, read, list, cancel, fail, and `GET /api/runs/{id}`'s JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import AzureError
from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import CosmosHttpResponseError

from switchboard.hosting.open_questions import RESUME_CONDITION, questions_view
from switchboard.hosting.run_status import TERMINAL_STATUSES, RunStatus
from switchboard.models.usage import models_by_agent
from switchboard.state import items
from switchboard.state.big_items import committed_entries, whole_items
from switchboard.state.errors import StoreRequestError, store_error
from switchboard.state.retention import ItemTtls

# A Cosmos patch condition that holds while the run may still change.
_ENDED = ", ".join(f"'{status}'" for status in RunStatus if status in TERMINAL_STATUSES)
ACTIVE_CONDITION = f"from c where NOT (c.status IN ({_ENDED}))"


def utc_now() -> datetime:
    """The current time in UTC (the default clock)."""
    return datetime.now(UTC)


class CosmosRunDocuments:
    """The run documents in the runs container (one partition per run).

    Attributes:
        container: The runs container.
    """

    def __init__(
        self, container: ContainerProxy, *, now: Callable[[], datetime] = utc_now, ttls: ItemTtls | None = None
    ) -> None:
        self.container = container
        self._now = now
        # Each item's `ttl`, written with it (switchboard/state/retention.py).
        self.ttls = ttls or ItemTtls.from_settings()

    def timestamp(self) -> str:
        """The current time as ISO 8601 text, as run documents store it."""
        return self._now().isoformat()

    async def create_run(self, run_id: str, *, task: str, team: str | None) -> bool:
        """Create the run document as `queued`.

        Returns:
            True when created; False when a document with this id existed (it is left unchanged).
        """
        body = self.ttls.run_item(items.run_item(run_id, task=task, team=team, now=self.timestamp()))
        try:
            await self.container.create_item(body)
        except CosmosHttpResponseError as error:
            if error.status_code == 409:
                return False
            raise store_error(error, f"create run {run_id}") from error
        except AzureError as error:
            raise store_error(error, f"create run {run_id}") from error
        return True

    async def delete_queued_run(self, run_id: str) -> bool:
        """Delete the run document if it is still `queued` (ETag-checked: a run the ingress started stays).

        Returns:
            True when this call deleted it; False when it is gone or no longer `queued`.
        """
        item = await self._read(run_id, items.run_id_item(run_id), "read run", system=True)
        if item is None or item.get("status") != RunStatus.QUEUED:
            return False
        try:
            await self.container.delete_item(
                item["id"], partition_key=run_id, etag=item["_etag"], match_condition=MatchConditions.IfNotModified
            )
        except CosmosHttpResponseError as error:
            if error.status_code in (404, 412):
                return False
            raise store_error(error, f"delete run {run_id}") from error
        except AzureError as error:
            raise store_error(error, f"delete run {run_id}") from error
        return True

    async def read_run(self, run_id: str) -> dict[str, Any] | None:
        """The run document's fields (without Cosmos system fields), or None."""
        return await self._read(run_id, items.run_id_item(run_id), "read run")

    async def get_run(self, run_id: str) -> dict[str, Any] | None:
        """The run as `GET /api/runs/{id}` and `switchboard runs show --json` print it.

        Returns:
            The run document's fields, `transcript` (the entries in index order) and `usage` (per agent: the run
            document's, or summed from the transcript while the run has not recorded it, with the `model` its turns
            used), or None for no run.
        """
        run = await self.read_run(run_id)
        if run is None:
            return None
        transcript = await self.read(run_id, 0)
        view = {name: run.get(name) for name in items.RUN_FIELDS}
        view.update(questions_view(run))
        view["id"] = run_id
        view["transcript"] = transcript
        usage = run.get("usage") or _usage_of(transcript)
        # Each agent's usage names the model(s) its turns were answered by (a model per agent).
        models = models_by_agent((str(e.get("source")), e.get("model")) for e in transcript)
        view["usage"] = {
            agent: {**spent, "model": models[agent]} if agent in models and isinstance(spent, Mapping) else spent
            for agent, spent in usage.items()
        }
        return view

    async def list_runs(self, *, limit: int = 50, status: str | None = None) -> list[dict[str, Any]]:
        """The newest run documents first (across partitions), optionally only those with `status`."""
        where = "c.type = 'run'" + (" AND c.status = @status" if status else "")
        query = f"SELECT TOP @limit * FROM c WHERE {where} ORDER BY c.created_at DESC"
        parameters: list[dict[str, Any]] = [{"name": "@limit", "value": limit}]
        if status:
            parameters.append({"name": "@status", "value": status})
        try:
            return [items.public_fields(doc) async for doc in self.container.query_items(query, parameters=parameters)]
        except AzureError as error:
            raise store_error(error, "list runs") from error

    async def request_cancel(self, run_id: str) -> str:
        """Cancel a run that has not ended; its next message is then completed without work.

        Returns:
            The run's status afterwards: `cancelled`, or the status it had already ended with.

        Raises:
            StoreRequestError: No such run (404).
        """
        _, status = await self._end(run_id, RunStatus.CANCELLED, {})
        if status is None:
            raise StoreRequestError(f"cancel run {run_id}: no such run")
        return status

    async def fail_run(self, run_id: str, error: str) -> bool:
        """Set a run that has not ended to `failed` with `error` stored.

        Returns:
            True when this call failed the run; False when it had ended already or has no document.
        """
        changed, _ = await self._end(run_id, RunStatus.FAILED, {"error": error})
        return changed

    async def resume_if_answered(self, run_id: str) -> bool:
        """Set an `awaiting_input` run with no open question to `running`, in one conditional patch.

        Returns:
            True when this call set it; False when a question is open, the run is not waiting, or it is missing.
        """
        operations = [
            {"op": "set", "path": "/status", "value": RunStatus.RUNNING},
            {"op": "set", "path": "/updated_at", "value": self.timestamp()},
        ]
        try:
            await self.container.patch_item(
                run_id, partition_key=run_id, patch_operations=operations, filter_predicate=RESUME_CONDITION
            )
        except CosmosHttpResponseError as error:
            if error.status_code in (404, 412):
                return False
            raise store_error(error, f"resume run {run_id}") from error
        except AzureError as error:
            raise store_error(error, f"resume run {run_id}") from error
        return True

    async def read(self, run_id: str, start: int, end: int | None = None) -> list[Mapping[str, Any]]:
        """The `TranscriptLog` port: committed entries with `start <= index < end`, in index order."""
        bound = " AND c.index < @end" if end is not None else ""
        query = (
            f"SELECT * FROM c WHERE c.run_id = @run AND c.type = 'entry' AND c.index >= @start{bound} ORDER BY c.index"
        )
        parameters: list[dict[str, Any]] = [{"name": "@run", "value": run_id}, {"name": "@start", "value": start}]
        if end is not None:
            parameters.append({"name": "@end", "value": end})
        try:
            pages = self.container.query_items(query, parameters=parameters, partition_key=run_id)
            found = [doc async for doc in pages]
        except AzureError as error:
            raise store_error(error, f"read the transcript of run {run_id}") from error
        # Entries of a commit split over several batches, and entries past the item size limit: see big_items.
        entries = await whole_items(self.container, run_id, await committed_entries(self.container, run_id, found))
        return [items.entry_fields(doc) for doc in entries]

    async def _end(self, run_id: str, status: str, fields: Mapping[str, Any]) -> tuple[bool, str | None]:
        """Move an active run to `status`; returns whether this call did, and the status afterwards (None: no run)."""
        operations = [
            {"op": "set", "path": "/status", "value": status},
            {"op": "set", "path": "/updated_at", "value": self.timestamp()},
            *({"op": "set", "path": f"/{name}", "value": value} for name, value in fields.items()),
        ]
        try:
            await self.container.patch_item(
                run_id, partition_key=run_id, patch_operations=operations, filter_predicate=ACTIVE_CONDITION
            )
        except CosmosHttpResponseError as error:
            if error.status_code == 412:  # it had ended already: report how
                current = await self.read_run(run_id)
                return False, (str(current.get("status")) if current else None)
            if error.status_code == 404:
                return False, None
            raise store_error(error, f"set run {run_id} to {status}") from error
        except AzureError as error:
            raise store_error(error, f"set run {run_id} to {status}") from error
        return True, status

    async def _read(self, run_id: str, item_id: str, action: str, *, system: bool = False) -> dict[str, Any] | None:
        try:
            item = await self.container.read_item(item_id, partition_key=run_id)
        except CosmosHttpResponseError as error:
            if error.status_code == 404:
                return None
            raise store_error(error, f"{action} {run_id}") from error
        except AzureError as error:
            raise store_error(error, f"{action} {run_id}") from error
        (whole,) = await whole_items(self.container, run_id, [dict(item)])
        return whole if system else items.public_fields(whole)


def _usage_of(transcript: list[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    usage: dict[str, dict[str, int]] = {}
    for entry in transcript:
        spent = entry.get("usage") or {}
        if not isinstance(spent, Mapping) or not spent:
            continue
        total = usage.setdefault(str(entry.get("source")), {})
        for name, value in spent.items():
            if isinstance(value, int):
                total[name] = total.get(name, 0) + value
    return usage
