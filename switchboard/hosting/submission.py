"""Submitting a run: the run document, then the task on `tasks` — idempotent by key, and never half done.

`POST /api/runs` and `switchboard submit` both call `submit_run`. The order of its writes is what makes a failure
leave nothing behind:

1. Create the run document (`queued`). With an idempotency key its id derives from the key, so a retry finds the
   document its first attempt made: same task and team → the same run again (the task is re-sent while the run is
   still `queued`: its MessageId is the run id, so duplicate detection drops a copy that did arrive); another task
   or team → `IdempotencyConflictError`.
2. Post the task to `tasks` with MessageId = run id.
3. If the post fails, delete the document this call created, when it is still `queued` — whatever the send's fate:
   should the message have arrived after all, the ingress creates the document again from it. The caller gets
   `SubmitUnavailableError` (HTTP 503 with Retry-After) and may retry with the same key.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from switchboard.errors import SwitchboardError, TransientError
from switchboard.hosting.ingress_rules import run_id_for_key
from switchboard.hosting.run_status import RunStatus
from switchboard.hosting.task_request import TaskRequest

logger = logging.getLogger("switchboard.hosting")

RETRY_AFTER_SECONDS = 5
"""What a refused submit tells the caller to wait (HTTP `Retry-After`) before trying again with the same key."""


class IdempotencyConflictError(SwitchboardError):
    """An idempotency key already names a run with another task or team (HTTP 422)."""


class SubmitUnavailableError(TransientError):
    """The run could not be queued right now (Service Bus or Cosmos unavailable); nothing was left behind.

    Attributes:
        retry_after: Seconds the caller should wait before retrying (with the same idempotency key).
    """

    def __init__(self, reason: str, *, retry_after: int = RETRY_AFTER_SECONDS) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class SubmissionStore(Protocol):
    """The run documents a submit writes (`switchboard.state.CosmosRunStore` is one)."""

    async def create_run(self, run_id: str, *, task: str, team: str | None) -> bool:
        """Create the run document as `queued`; False when it exists already (left unchanged)."""
        ...

    async def read_run(self, run_id: str) -> Mapping[str, Any] | None:
        """The run document's fields, or None."""
        ...

    async def delete_queued_run(self, run_id: str) -> bool:
        """Delete the run document if it is still `queued`; False when it is gone or has moved on."""
        ...


class TaskPoster(Protocol):
    """Posts a task to the `tasks` queue (`switchboard.transport.ServiceBusPublisher` is one)."""

    async def send_task(self, run_id: str, *, task: str, team: str | None = None) -> None:
        """Post `{"task","team"}` with MessageId = `run_id`."""
        ...


@dataclass(frozen=True)
class Submitted:
    """A queued run.

    Attributes:
        run_id: The run's id.
        replayed: True when an earlier request with the same idempotency key had created it.
        status: The run's status as this call saw it (`queued` for a new run).
    """

    run_id: str
    replayed: bool = False
    status: str = RunStatus.QUEUED


async def submit_run(
    store: SubmissionStore,
    poster: TaskPoster,
    request: TaskRequest,
    *,
    idempotency_key: str | None = None,
    run_id: str | None = None,
) -> Submitted:
    """Create the run and post its task, idempotently when `idempotency_key` is given.

    Args:
        store: Where the run document goes.
        poster: Where the task goes.
        request: The validated task and team.
        idempotency_key: The caller's key for this submit; the run id derives from it.
        run_id: The run id to use without a key (default: a new UUID).

    Raises:
        InvalidRequestError: The key is malformed.
        IdempotencyConflictError: The key names a run with another task or team.
        SubmitUnavailableError: Cosmos or Service Bus could not take it now; nothing was left behind.
    """
    if idempotency_key is not None:
        run_id = run_id_for_key(idempotency_key)
    run_id = run_id or str(uuid.uuid4())
    created, existing = await _create_or_find(store, run_id, request)
    if existing is not None:
        if existing.get("task") != request.task or existing.get("team") != request.team:
            raise IdempotencyConflictError(
                "this Idempotency-Key was already used for a different request (another task or team); "
                f"it names run {run_id}: use a new key for a new run"
            )
        status = str(existing.get("status"))
        if status != RunStatus.QUEUED:
            return Submitted(run_id, replayed=True, status=status)
    try:
        await poster.send_task(run_id, task=request.task, team=request.team)
    except SwitchboardError as error:
        if created:
            await _remove(store, run_id)
        if isinstance(error, TransientError):
            raise SubmitUnavailableError(
                f"the run could not be queued now, try again: {type(error).__name__}"
            ) from error
        raise
    return Submitted(run_id, replayed=not created)


async def _create_or_find(
    store: SubmissionStore, run_id: str, request: TaskRequest
) -> tuple[bool, Mapping[str, Any] | None]:
    """Create the document, or read the one that exists; a document deleted in between is created again."""
    for _ in range(3):
        try:
            if await store.create_run(run_id, task=request.task, team=request.team):
                return True, None
            existing = await store.read_run(run_id)
        except TransientError as error:
            raise SubmitUnavailableError(
                f"the run could not be stored now, try again: {type(error).__name__}"
            ) from error
        if existing is not None:
            return False, existing
    raise SubmitUnavailableError("the run's document keeps changing; try again")


async def _remove(store: SubmissionStore, run_id: str) -> None:
    try:
        await store.delete_queued_run(run_id)
    except SwitchboardError as error:
        # The caller retries with its key and the retry re-sends the task; without a key the document stays
        # `queued` and the log says which one.
        logger.warning("run %s: its task was not queued and its document could not be removed: %s", run_id, error)
