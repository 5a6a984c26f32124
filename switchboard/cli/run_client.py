"""`RunClient`: the CLI's view of a deployment: runs in Cosmos, tasks and events on Service Bus.

It talks to the same stores the Function App uses, through the same adapters (`switchboard.state`,
`switchboard.transport`): a submitted run is created `queued` and its task posted to `tasks` with MessageId = run
id, exactly as `POST /api/runs` does; `view` is `GET /api/runs/{id}`'s JSON.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from switchboard.errors import SwitchboardError
from switchboard.hosting.input_reply import reply_envelope
from switchboard.hosting.run_status import TERMINAL_STATUSES, RunStatus
from switchboard.hosting.settings import HostingSettings
from switchboard.state import CosmosRunStore
from switchboard.transport import DeadLetters, ServiceBusPublisher, SubscriptionTable, service_bus_client


class RunLookupError(SwitchboardError):
    """No run has this id, or the run cannot do what was asked (it has ended)."""


class RunClient:
    """Submit, read, list, cancel and follow runs; open with `RunClient.open(settings)`."""

    def __init__(self, store: CosmosRunStore, publisher: ServiceBusPublisher | None) -> None:
        """Use an open store and, for commands that send, a publisher."""
        self.store = store
        self._publisher = publisher

    @classmethod
    @asynccontextmanager
    async def open(cls, settings: HostingSettings, *, bus: bool = True) -> AsyncIterator[RunClient]:
        """A client on the settings' Cosmos account and, with `bus`, Service Bus namespace; closed on exit."""
        async with AsyncExitStack() as stack:
            store = CosmosRunStore.from_settings(settings)
            stack.push_async_callback(store.close)
            publisher = None
            if bus:
                # The CLI only posts tasks and events; no agent routing is needed.
                publisher = ServiceBusPublisher.from_settings(settings, SubscriptionTable({}))
                stack.push_async_callback(publisher.close)
            yield cls(store, publisher)

    @property
    def publisher(self) -> ServiceBusPublisher:
        """The Service Bus publisher (the client was opened with `bus=True`)."""
        if self._publisher is None:
            raise TypeError("this RunClient was opened without Service Bus")
        return self._publisher

    async def submit(self, task: str, team: str, *, run_id: str | None = None) -> str:
        """Create the run (`queued`) and post `{"task","team"}` to `tasks` with MessageId = run id.

        Returns:
            The run id.
        """
        run_id = run_id or str(uuid.uuid4())
        await self.store.create_run(run_id, task=task, team=team)
        await self.publisher.send_task(run_id, task=task, team=team)
        return run_id

    async def view(self, run_id: str) -> dict[str, Any]:
        """The run with `transcript` and `usage`, as `GET /api/runs/{id}` returns it.

        Raises:
            RunLookupError: No such run.
        """
        view = await self.store.get_run(run_id)
        if view is None:
            raise RunLookupError(f"no run {run_id!r}")
        return view

    async def recent(self, *, limit: int = 20, status: str | None = None) -> list[dict[str, Any]]:
        """The newest runs first."""
        return await self.store.list_runs(limit=limit, status=status)

    async def cancel(self, run_id: str) -> str:
        """Ask a run to stop at its next step; announces `cancelled` on `run-events`.

        Raises:
            RunLookupError: No such run, or it has ended already.
        """
        run = await self.store.read_run(run_id)
        if run is None:
            raise RunLookupError(f"no run {run_id!r}")
        if run.get("status") in TERMINAL_STATUSES:
            raise RunLookupError(f"run {run_id} already ended as {run.get('status')}")
        status = await self.store.request_cancel(run_id)
        if status == RunStatus.CANCELLED:
            await self.publisher.publish_event(run_id, status)
        return status

    async def reply(self, run_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Answer the question the run waits on, as `POST /api/runs/{id}/input` does.

        Returns:
            The question answered (the run document's `pending_input`).

        Raises:
            RunLookupError: No such run.
            NotAwaitingInputError: The run waits for no input.
            InputReplyError: `body` does not answer the question.
        """
        run = await self.store.read_run(run_id)
        if run is None:
            raise RunLookupError(f"no run {run_id!r}")
        await self.publisher.publish([reply_envelope(run_id, run, body, now=datetime.now(UTC))])
        return dict(run["pending_input"])

    async def follow(
        self,
        run_id: str,
        on_entry: Callable[[Mapping[str, Any]], None],
        *,
        poll_seconds: float = 0.3,
        max_wait: float | None = None,
        on_input: Callable[[Mapping[str, Any]], Awaitable[None]] | None = None,
    ) -> dict[str, Any]:
        """Hand each transcript entry to `on_entry` as it is committed, until the run ends.

        While the run is `awaiting_input`, `on_input` is called once per open question with the run document's
        `pending_input` (it may answer through `reply`; the wait counts against `max_wait` only while it runs).

        Returns:
            The run's final view (`GET /api/runs/{id}`'s JSON).

        Raises:
            RunLookupError: The run did not appear within `max_wait` seconds.
            TimeoutError: It had not ended after `max_wait` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = None if max_wait is None else loop.time() + max_wait
        shown = 0
        asked: set[Any] = set()
        while True:
            run = await self.store.read_run(run_id)
            # Entries are read after the status, so the last poll of an ended run sees all of them.
            for entry in await self.store.read(run_id, shown):
                on_entry(entry)
                shown += 1
            if run is not None and run.get("status") in TERMINAL_STATUSES:
                return await self.view(run_id)
            waiting = run is not None and run.get("status") == RunStatus.AWAITING_INPUT
            pending = run.get("pending_input") if run is not None and waiting else None
            if on_input is not None and isinstance(pending, Mapping) and pending.get("request_id") not in asked:
                asked.add(pending.get("request_id"))
                started = loop.time()
                await on_input(pending)
                if deadline is not None:
                    deadline += loop.time() - started  # a person's thinking time is not the run's
            if deadline is not None and loop.time() >= deadline:
                if run is None:
                    raise RunLookupError(f"no run {run_id!r}")
                raise TimeoutError(f"run {run_id} is still {run.get('status')} after {max_wait:g}s")
            await asyncio.sleep(poll_seconds)


@asynccontextmanager
async def dead_letters(settings: HostingSettings) -> AsyncIterator[DeadLetters]:
    """The namespace's dead-letter queues through one client, closed on exit."""
    client = service_bus_client(settings)
    try:
        yield DeadLetters(client)
    finally:
        await client.close()
