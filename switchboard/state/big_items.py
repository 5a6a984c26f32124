"""The Cosmos requests behind chunked items and split commits: write the overflow, read items back whole.

The pure rules are `switchboard.state.chunking` (how an item is chunked) and `switchboard.state.commit_plan` (how a
commit is split). Here they meet the container: overflow batches are upserts (idempotent, so a retried hop simply
writes them again), and every read path hands its items through `whole_items` (chunked heads are put back
together) and transcript reads through `committed_entries` (an overflow entry whose commit has not happened is not
shown). A run whose items are all small pays no extra request for any of this.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from azure.core.exceptions import AzureError
from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import CosmosHttpResponseError

from switchboard.state import chunking
from switchboard.state.errors import store_error


async def write_overflow(container: ContainerProxy, run_id: str, batches: Sequence[Sequence[dict[str, Any]]]) -> None:
    """Upsert each batch of overflow items (a lone item with one plain upsert), in order.

    Raises:
        StoreUnavailableError: Throttled or unreachable (the hop is retried; nothing refers to these items yet).
        StoreRequestError: Any other refusal.
    """
    for batch in batches:
        try:
            if len(batch) == 1:
                await container.upsert_item(batch[0])
            else:
                operations = [("upsert", (item,)) for item in batch]
                await container.execute_item_batch(operations, partition_key=run_id)
        except AzureError as error:
            raise store_error(error, f"write {len(batch)} overflow item(s) of run {run_id}") from error


async def whole_items(container: ContainerProxy, run_id: str, found: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """`found` with every chunked head replaced by the whole item (its chunks read by id, concurrently).

    Raises:
        ChunkMissingError: A head names a chunk that is not stored.
        StoreUnavailableError: Throttled or unreachable.
    """
    wanted = chunking.needed_chunks(found)
    if not wanted:
        return list(found)
    chunks = await _read_many(container, run_id, wanted, "read chunks of")
    return [chunking.reassemble(item, chunks) for item in found]


async def committed_entries(
    container: ContainerProxy, run_id: str, entries: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The entries whose commit happened: an overflow entry counts once its inbox mark lists its id.

    Entries written in a commit's final batch carry no `commit` field and are always shown.
    """
    marks = sorted({str(entry["commit"]) for entry in entries if entry.get("commit")})
    if not marks:
        return list(entries)
    found = await _read_many(container, run_id, marks, "read inbox marks of", missing_ok=True)
    listed = {mark: set(item.get("overflow") or ()) for mark, item in found.items()}
    return [
        entry
        for entry in entries
        if not entry.get("commit") or entry.get("id") in listed.get(str(entry["commit"]), set())
    ]


async def delete_items(container: ContainerProxy, run_id: str, ids: Iterable[str]) -> None:
    """Delete items nothing refers to any more; best effort (a leftover costs storage, never correctness)."""
    for item_id in ids:
        try:
            await container.delete_item(item_id, partition_key=run_id)
        except AzureError:
            continue


async def _read_many(
    container: ContainerProxy, run_id: str, ids: Sequence[str], action: str, *, missing_ok: bool = False
) -> dict[str, Mapping[str, Any]]:
    async def one(item_id: str) -> dict[str, Any] | None:
        try:
            return dict(await container.read_item(item_id, partition_key=run_id))
        except CosmosHttpResponseError as error:
            if error.status_code == 404 and missing_ok:
                return None
            if error.status_code == 404:
                raise chunking.ChunkMissingError(f"{action} run {run_id}: {item_id!r} is not stored") from error
            raise store_error(error, f"{action} run {run_id}") from error
        except AzureError as error:
            raise store_error(error, f"{action} run {run_id}") from error

    read = await asyncio.gather(*(one(item_id) for item_id in ids))
    return {item_id: item for item_id, item in zip(ids, read, strict=True) if item is not None}
