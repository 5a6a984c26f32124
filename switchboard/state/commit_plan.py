"""How one `Commit` is written when it does not fit one transactional batch (pure: no I/O).

A Cosmos transactional batch holds at most 100 operations and 2 MB. A commit is written as:

1. *overflow* first: every chunk (`switchboard.state.chunking`) and the transcript entries that do not fit the final
   batch, as idempotent upserts grouped into batches that fit. An overflow entry carries `commit` = the id of the
   inbox mark that will commit it and an id of its own (`entry:<index>~<digest of message and content>`); readers
   show it only once that mark lists its id (`overflow`).
2. the *final* batch, atomic as before: the inbox mark, the state (head), the outbox (head), the entries that fit,
   and the run patch. It alone decides whether the hop happened.

A crash between the two leaves only items nothing refers to yet (chunks, entries whose inbox mark is missing); the
retried hop writes the same ids again. A commit that fits one batch is written exactly as before: one request.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from switchboard.hosting.open_questions import patch_operations
from switchboard.runtime.protocols import Commit
from switchboard.state import items
from switchboard.state.chunking import Spilled, encoded_size, spill
from switchboard.state.errors import StoreRequestError
from switchboard.state.run_documents import ACTIVE_CONDITION

MAX_OPERATIONS = 100
"""Operations per transactional batch (Cosmos answers 400 past it)."""

BATCH_BYTES = 1_900_000
"""Bytes per batch request we allow ourselves: Cosmos refuses more than 2 MB (2,097,152); the rest is headroom."""

OPERATION_BYTES = 120
"""What the SDK adds around each item in a batch body (`operationType`, `id`, `ifMatch`, ...), rounded up."""

Operation = tuple[Any, ...]
"""A batch operation as `ContainerProxy.execute_item_batch` takes it: (kind, args) or (kind, args, kwargs)."""


class CommitTooLargeError(StoreRequestError):
    """The parts a commit must write atomically (inbox mark, state, outbox, run patch) do not fit one batch."""


@dataclass(frozen=True)
class CommitPlan:
    """The requests that store one commit, in order.

    Attributes:
        overflow: Batches of items to upsert first (each fits a batch); empty when the commit fits one batch.
        final: The atomic batch: inbox mark (0), state (1), outbox (2), entries, run patch (last, when any).
        run_patch_op: The position of the run patch in `final`, or None.
        state_head: The state item as written (its `chunked` descriptor, if any, names its chunks).
    """

    overflow: tuple[tuple[dict[str, Any], ...], ...]
    final: list[Operation]
    run_patch_op: int | None
    state_head: dict[str, Any] = field(default_factory=dict)


def plan_commit(commit: Commit, *, max_operations: int = MAX_OPERATIONS, batch_bytes: int = BATCH_BYTES) -> CommitPlan:
    """Split `commit` into overflow batches and one final atomic batch.

    Raises:
        CommitTooLargeError: Even with every big item chunked, the atomic part exceeds one batch.
    """
    run_id, version = commit.run_id, commit.message_id
    state = spill(items.state_item(run_id, commit.agent, commit.schema_version, commit.state), version=version)
    outbox = spill(items.outbox_item(run_id, commit.agent, commit.message_id, commit.outgoing), version=version)
    entries = [spill(items.entry_item(run_id, r.index, r.entry), version=version) for r in commit.transcript]
    patch_op: Operation | None = None
    if commit.run_patch:
        patch_op = ("patch", (run_id, patch_operations(commit.run_patch)), {"filter_predicate": ACTIVE_CONDITION})
    state_op: Operation = (
        ("create", (state.head,))
        if commit.expected_etag is None
        else ("replace", (state.head["id"], state.head), {"if_match_etag": commit.expected_etag})
    )
    inbox = items.inbox_item(run_id, commit.agent, commit.message_id)
    fixed = [state_op, ("create", (outbox.head,)), *([patch_op] if patch_op else [])]
    fixed_bytes = state.size + outbox.size + (_op_bytes(patch_op) if patch_op else 0) + 3 * OPERATION_BYTES
    # The inbox mark grows by the overflow indexes it lists; reserve room for all of them.
    room_ops = max_operations - 1 - len(fixed)
    room_bytes = batch_bytes - _inbox_bytes(inbox, len(commit.transcript)) - fixed_bytes
    if room_ops < 0 or room_bytes < 0:
        raise CommitTooLargeError(
            f"commit {commit.agent}:{commit.message_id} in run {run_id}: its inbox mark, state, outbox and run patch"
            f" need more than one batch ({batch_bytes} bytes) even chunked"
        )
    in_final: list[dict[str, Any]] = []
    late: list[dict[str, Any]] = []
    for entry in entries:
        size = entry.size + OPERATION_BYTES
        if not late and len(in_final) < room_ops and size <= room_bytes:
            in_final.append(entry.head)
            room_bytes -= size
        else:
            late.append(_ahead(entry.head, inbox["id"], version))
    if late:
        inbox["overflow"] = [entry["id"] for entry in late]
    final: list[Operation] = [
        ("create", (inbox,)),
        state_op,
        fixed[1],
        *(("upsert", (entry,)) for entry in in_final),
        *([patch_op] if patch_op else []),
    ]
    spilled_chunks = [chunk for part in (state, outbox, *entries) for chunk in part.chunks]
    overflow = pack([*spilled_chunks, *late], max_operations=max_operations, batch_bytes=batch_bytes)
    return CommitPlan(
        overflow=overflow,
        final=final,
        run_patch_op=len(final) - 1 if patch_op else None,
        state_head=state.head,
    )


def pack(
    to_write: Sequence[dict[str, Any]], *, max_operations: int = MAX_OPERATIONS, batch_bytes: int = BATCH_BYTES
) -> tuple[tuple[dict[str, Any], ...], ...]:
    """Group items into batches of at most `max_operations` items and `batch_bytes` bytes, keeping their order.

    An item too big to share a batch gets one of its own (the caller writes it alone).
    """
    batches: list[tuple[dict[str, Any], ...]] = []
    current: list[dict[str, Any]] = []
    used = 0
    for item in to_write:
        size = encoded_size(item) + OPERATION_BYTES
        if current and (len(current) >= max_operations or used + size > batch_bytes):
            batches.append(tuple(current))
            current, used = [], 0
        current.append(item)
        used += size
    if current:
        batches.append(tuple(current))
    return tuple(batches)


def spilled_step(item: Mapping[str, Any]) -> Spilled:
    """A step item as it is written: chunked past the limit, its chunk ids from its content alone.

    Two instances recording the same step with different results then write different chunks, and the first head
    written wins with its own chunks intact.
    """
    return spill(item, version="step")


def _ahead(head: Mapping[str, Any], mark: str, version: str) -> dict[str, Any]:
    """An entry written ahead of its commit: tagged with the inbox mark, its id made unique to its content.

    Another instance handling the same message (a lost lock) with a different answer then writes other ids and
    cannot overwrite the entries of the commit that won; a retry with the same answer overwrites its own leftovers.
    """
    digest = hashlib.sha256(f"{version}\x00{json.dumps(head, sort_keys=True)}".encode()).hexdigest()[:16]
    return {**head, "id": f"{head['id']}~{digest}", "commit": mark}


def _op_bytes(op: Operation) -> int:
    return encoded_size(op[1]) + OPERATION_BYTES


def _inbox_bytes(inbox: Mapping[str, Any], entries: int) -> int:
    # Each listed overflow id is at most `entry:` + a long nested-team index + `~` + 16 hex digits, quoted.
    return encoded_size(inbox) + entries * 48 + OPERATION_BYTES
