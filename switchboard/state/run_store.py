"""`CosmosRunStore`: every state port of a run on Cosmos, in the run's partition (docs/hosting.md's item layout).

One hop costs one query (`snapshot`: run document, agent state, the message's outbox and steps, and the entries
and attachments it refers to) and one transactional batch (`commit`), plus one write per model or tool call
(`record`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import AzureError
from azure.cosmos.aio import ContainerProxy, CosmosClient
from azure.cosmos.exceptions import CosmosBatchOperationError, CosmosHttpResponseError

from switchboard.errors import DuplicateMessageError, StateConflictError, SwitchboardError
from switchboard.hosting.ports import HopSnapshot, RunEndedError
from switchboard.hosting.settings import HostingSettings
from switchboard.messages import Envelope
from switchboard.messages.references import NO_REFERENCES, References
from switchboard.runtime.protocols import Commit, StoredState
from switchboard.state import chunking, items
from switchboard.state.big_items import committed_entries, delete_items, whole_items, write_overflow
from switchboard.state.client import cosmos_client, identity_credential, runs_container
from switchboard.state.commit_plan import plan_commit, spilled_step
from switchboard.state.errors import retry_after_hint, status_error, store_error
from switchboard.state.request_counter import RequestCounter
from switchboard.state.run_documents import CosmosRunDocuments, utc_now
from switchboard.state.snapshot_query import parse_snapshot, snapshot_query, stored_state

# Positions of the fixed operations in a commit's batch, to tell which one failed.
_INBOX_OP, _STATE_OP = 0, 1
# How many chunked states' chunk ids a store remembers for removal (one per run and agent it served).
_REMEMBERED_STATES = 1024


class CosmosRunStore(CosmosRunDocuments):
    """`StateStore`, `Inbox`, `StepJournal`, `TranscriptLog` and `RunDocuments` on one Cosmos container.

    Attributes:
        counter: Counts the item requests of the client it was built with (`from_settings`), for benchmarks.
    """

    def __init__(
        self,
        container: ContainerProxy,
        *,
        client: CosmosClient | None = None,
        settings: HostingSettings | None = None,
        counter: RequestCounter | None = None,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        """Wrap a container; `client` (closed by `close`) and `settings` (for `create_if_missing`) when owned."""
        super().__init__(container, now=now)
        self.counter = counter or RequestCounter()
        self._client = client
        self._settings = settings
        self._credential: AsyncTokenCredential | None = None
        # (run, agent) -> (etag, chunk ids) of a chunked state this store read: see _forget_replaced_chunks.
        self._state_chunks: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {}

    @classmethod
    def from_settings(cls, settings: HostingSettings, *, now: Callable[[], datetime] = utc_now) -> CosmosRunStore:
        """A store with its own client, as the settings describe (no request is made yet)."""
        counter = RequestCounter()
        credential = identity_credential(settings)
        client = cosmos_client(settings, counter=counter, credential=credential)
        container = client.get_database_client(settings.cosmos_database).get_container_client(settings.cosmos_container)
        store = cls(container, client=client, settings=settings, counter=counter, now=now)
        store._credential = credential
        return store

    async def create_if_missing(self) -> None:
        """Create the database and the container when they do not exist (local emulators start empty)."""
        if self._client is None or self._settings is None:
            raise TypeError("create_if_missing needs a store built by from_settings")
        self.container = await runs_container(self._client, self._settings, create_if_missing=True)

    async def close(self) -> None:
        """Close the client (and its identity credential) this store owns."""
        if self._client is not None:
            await self._client.close()
        if self._credential is not None:
            await self._credential.close()

    # StateStore
    async def load(self, agent: str, run_id: str) -> StoredState | None:
        """Point-read the agent's state item."""
        item = await self._read(run_id, items.state_id(agent), "read state of", system=True)
        return None if item is None else self._stored_state(run_id, item)

    async def commit(self, commit: Commit) -> str:
        """Store the handler call's results in one transactional batch; see `StateStore.commit`.

        Raises:
            DuplicateMessageError: The inbox mark exists (409 on its create).
            StateConflictError: The state's etag changed (412), or it was created meanwhile (409).
            RunEndedError: The run document says the run ended (its patch condition failed).
            StoreUnavailableError: Throttled or unreachable.
            StoreRequestError: Any other refusal (e.g. no run document to patch).
        """
        # Past one batch (100 operations or 2 MB), chunks and extra entries go first: see commit_plan.
        plan = plan_commit(commit)
        # Each item is written with its retention `ttl` (switchboard/state/retention.py), chunks included.
        await write_overflow(self.container, commit.run_id, self.ttls.stamp_batches(plan.overflow))
        try:
            results = await self.container.execute_item_batch(
                self.ttls.stamp_operations(plan.final), partition_key=commit.run_id
            )
        except CosmosBatchOperationError as error:
            raise _batch_error(error, commit, run_patch_op=plan.run_patch_op) from error
        except AzureError as error:
            raise store_error(error, f"commit {commit.agent}:{commit.message_id}") from error
        await self._forget_replaced_chunks(commit, plan.state_head)
        return str(results[_STATE_OP].get("eTag") or results[_STATE_OP].get("resourceBody", {}).get("_etag"))

    # Inbox
    async def outbox(self, agent: str, run_id: str, message_id: str) -> tuple[Envelope, ...] | None:
        """The envelopes committed with the inbox mark of (agent, message_id), or None when not handled."""
        item = await self._read(run_id, items.outbox_id(agent, message_id), "read outbox of")
        return None if item is None else items.envelopes_of(item)

    # AttachmentLog
    async def attachments(self, run_id: str, ids: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        """The stored attachments among `ids`, by id (a hop reads them in its snapshot instead)."""
        found: dict[str, Mapping[str, Any]] = {}
        for item_id in ids:
            item = await self._read(run_id, item_id, "read attachment of", system=True)
            if item is not None:
                (whole,) = await whole_items(self.container, run_id, [item])
                found[item_id] = items.attachment_body(whole)
        return found

    # StepJournal
    async def recall(self, run_id: str, key: str) -> Mapping[str, Any] | None:
        """The journaled step under `key`, or None."""
        item = await self._read(run_id, items.step_id(key), "read step of")
        return None if item is None else items.step_value(item)

    async def record(self, run_id: str, key: str, value: Mapping[str, Any]) -> Mapping[str, Any]:
        """Write a finished step through at once and return the value the key holds.

        A second record of the same key (another instance raced this one on the message) keeps the first: the 409
        is answered by reading the stored step back, and that value is returned for the caller to adopt.
        """
        step = spilled_step(items.step_item(run_id, key, value))
        await write_overflow(self.container, run_id, self.ttls.stamp_batches([[chunk] for chunk in step.chunks]))
        try:
            await self.container.create_item(self.ttls.stamp(step.head))
        except CosmosHttpResponseError as error:
            if error.status_code != 409:
                raise store_error(error, f"record step {key}") from error
            stored = await self.recall(run_id, key)
            return value if stored is None else stored
        except AzureError as error:
            raise store_error(error, f"record step {key}") from error
        return value

    # RunDocuments
    async def snapshot(
        self, run_id: str, agent: str, message_id: str, *, references: References = NO_REFERENCES
    ) -> HopSnapshot:
        """Read in one query the run document, the agent's state, `message_id`'s outbox and steps, and its references.

        The references are the transcript entries and attachments the message names (`snapshot_query.py`). On a first
        delivery the outbox and steps are simply not found; reading them costs no extra request, so no delivery count
        has to decide whether to look.
        """
        query, parameters = snapshot_query(run_id, agent, message_id, references)
        try:
            found = [
                doc
                async for doc in self.container.query_items(
                    query,
                    parameters=parameters,
                    partition_key=run_id,
                )
            ]
        except AzureError as error:
            raise store_error(error, f"read run {run_id} for {agent}") from error
        # Big items come back whole; an entry written ahead of a commit that never happened is left out.
        found = await whole_items(self.container, run_id, await committed_entries(self.container, run_id, found))
        return parse_snapshot(run_id, found, state_of=self._stored_state)

    def _stored_state(self, run_id: str, item: Mapping[str, Any]) -> StoredState:
        # The chunks of a state version are removed once a commit replaces that version (etag-checked).
        key = (run_id, str(item["agent"]))
        self._state_chunks.pop(key, None)
        if chunking.is_chunked(item):
            self._state_chunks[key] = (str(item["_etag"]), tuple(chunking.chunk_ids(item)))
            while len(self._state_chunks) > _REMEMBERED_STATES:
                self._state_chunks.pop(next(iter(self._state_chunks)))
        return stored_state(run_id, item)

    async def _forget_replaced_chunks(self, commit: Commit, written: Mapping[str, Any]) -> None:
        replaced = self._state_chunks.pop((commit.run_id, commit.agent), None)
        if replaced is not None and replaced[0] == commit.expected_etag:
            await delete_items(self.container, commit.run_id, set(replaced[1]) - set(chunking.chunk_ids(written)))


def _batch_error(error: CosmosBatchOperationError, commit: Commit, *, run_patch_op: int | None) -> SwitchboardError:
    index = int(error.error_index or 0)
    responses = error.operation_responses or []
    status = int(responses[index].get("statusCode", 0)) if index < len(responses) else int(error.status_code or 0)
    where = f"commit {commit.agent}:{commit.message_id} in run {commit.run_id}"
    if index == _INBOX_OP and status == 409:
        return DuplicateMessageError(f"{where}: the message was handled already")
    if index == _STATE_OP and status in (409, 412):
        return StateConflictError(f"{where}: the state of {commit.agent!r} changed since it was loaded")
    if index == run_patch_op and status == 412:
        return RunEndedError(f"{where}: the run ended meanwhile")
    # A throttled batch says how long to wait on the batch response, or on the throttled operation's own.
    hint = retry_after_hint(error.headers)
    if hint is None and index < len(responses):
        hint = _operation_retry_after(responses[index])
    return status_error(status, f"{where}: operation {index} failed with {status}", retry_after=hint)


def _operation_retry_after(response: Mapping[str, Any]) -> float | None:
    milliseconds = response.get("retryAfterMilliseconds")
    return float(milliseconds) / 1000.0 if isinstance(milliseconds, int | float) else None
