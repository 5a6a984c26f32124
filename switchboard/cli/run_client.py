"""`RunClient`: the CLI's view of a deployment: runs in Cosmos, tasks and events on Service Bus.

It talks to the same stores the Function App uses, through the same adapters (`switchboard.state`,
`switchboard.transport`): a submitted run is created `queued` and its task posted to `tasks` with MessageId = run
id, exactly as `POST /api/runs` does; `view` is `GET /api/runs/{id}`'s JSON.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from switchboard.errors import SwitchboardError
from switchboard.hosting.entity_names import TASKS_QUEUE
from switchboard.hosting.ingress_rules import preview
from switchboard.hosting.input_reply import reply_to
from switchboard.hosting.open_questions import open_questions
from switchboard.hosting.run_status import TERMINAL_STATUSES, RunStatus
from switchboard.hosting.settings import HostingSettings
from switchboard.hosting.submission import Submitted, submit_run
from switchboard.hosting.task_request import TaskRequest
from switchboard.state import CosmosRunStore
from switchboard.transport import (
    DeadLetters,
    EntityNotFoundError,
    ServiceBusPublisher,
    SubscriptionTable,
    service_bus_client,
)
from switchboard.transport.errors import ENTITY_FIX

DEAD_LETTER_CHECK_SECONDS = 1.0
"""How often a follower of a still-queued run looks for its task in the `tasks` dead-letter queue."""


class RunLookupError(SwitchboardError):
    """No run has this id, or the run cannot do what was asked (it has ended)."""


class TaskDeadLetteredError(SwitchboardError):
    """The ingress dead-lettered the run's task: the run never started, and never will."""


class TeamNotDeployedError(SwitchboardError):
    """The namespace has no queue for the team: its entities are older than the registry."""


class RunClient:
    """Submit, read, list, cancel and follow runs; open with `RunClient.open(settings)`."""

    def __init__(
        self, store: CosmosRunStore, publisher: ServiceBusPublisher | None, dead_letters: DeadLetters | None = None
    ) -> None:
        """Use an open store and, for commands that send, a publisher and a dead-letter reader.

        The reader lets `submit` check the team's queue and `follow` notice a task the ingress refused.
        """
        self.store = store
        self._publisher = publisher
        self._dead_letters = dead_letters

    @classmethod
    @asynccontextmanager
    async def open(cls, settings: HostingSettings, *, bus: bool = True) -> AsyncIterator[RunClient]:
        """A client on the settings' Cosmos account and, with `bus`, Service Bus namespace; closed on exit."""
        async with AsyncExitStack() as stack:
            store = CosmosRunStore.from_settings(settings)
            stack.push_async_callback(store.close)
            publisher = None
            letters = None
            if bus:
                # The CLI only posts tasks and events; no agent routing is needed.
                publisher = ServiceBusPublisher.from_settings(settings, SubscriptionTable({}))
                stack.push_async_callback(publisher.close)
                bus_client = service_bus_client(settings)
                stack.push_async_callback(bus_client.close)
                letters = DeadLetters(bus_client)
            yield cls(store, publisher, letters)

    @property
    def publisher(self) -> ServiceBusPublisher:
        """The Service Bus publisher (the client was opened with `bus=True`)."""
        if self._publisher is None:
            raise TypeError("this RunClient was opened without Service Bus")
        return self._publisher

    async def check_team_queue(self, team: str) -> None:
        """Check, before posting, that the namespace has the team's queue (its manager's, named as the team).

        Peeking the queue's dead-letter queue reads nothing and works for session-enabled queues too.

        Raises:
            TeamNotDeployedError: No such queue; the reason says which command writes the entity list.
        """
        if self._dead_letters is None:
            return
        try:
            await self._dead_letters.peek(team, limit=1)
        except EntityNotFoundError as error:
            raise TeamNotDeployedError(f"Service Bus has no queue {team!r} for team {team!r}: {ENTITY_FIX}") from error

    async def submit(self, task: str, team: str, *, run_id: str | None = None) -> str:
        """Create the run (`queued`) and post `{"task","team"}` to `tasks` with MessageId = run id.

        The team's queue is checked first, so a namespace older than the registry fails here, not in the ingress.

        Returns:
            The run id.

        Raises:
            TeamNotDeployedError: The namespace has no queue for the team.
            SubmitUnavailableError: Cosmos or Service Bus could not take it now; nothing was left behind.
        """
        submitted = await self.submit_request(TaskRequest(task=task, team=team), run_id=run_id)
        return submitted.run_id

    async def submit_request(
        self, request: TaskRequest, *, idempotency_key: str | None = None, run_id: str | None = None
    ) -> Submitted:
        """Submit as `POST /api/runs` does (`switchboard.hosting.submission.submit_run`), optionally by key.

        Raises:
            TeamNotDeployedError: The namespace has no queue for the team.
            IdempotencyConflictError: The key was used for another task or team.
            SubmitUnavailableError: Cosmos or Service Bus could not take it now; nothing was left behind.
        """
        await self.check_team_queue(request.team)
        return await submit_run(self.store, self.publisher, request, idempotency_key=idempotency_key, run_id=run_id)

    async def view(self, run_id: str) -> dict[str, Any]:
        """The run with `transcript` and `usage`, as `GET /api/runs/{id}` returns it.

        Raises:
            RunLookupError: No such run.
        """
        view = await self.store.get_run(run_id)
        if view is None:
            raise RunLookupError(f"no run {preview(run_id)}")
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
            raise RunLookupError(f"no run {preview(run_id)}")
        if run.get("status") in TERMINAL_STATUSES:
            raise RunLookupError(f"run {run_id} already ended as {run.get('status')}")
        status = await self.store.request_cancel(run_id)
        if status == RunStatus.CANCELLED:
            await self.publisher.publish_event(run_id, status)
        return status

    async def reply(self, run_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Answer one of the run's open questions, as `POST /api/runs/{id}/input` does.

        Returns:
            The question answered (from the run document's `pending_inputs`).

        Raises:
            RunLookupError: No such run.
            NotAwaitingInputError: The run waits for no input, or the request id is not an open question.
            InputReplyError: `body` does not answer the question.
        """
        run = await self.store.read_run(run_id)
        if run is None:
            raise RunLookupError(f"no run {preview(run_id)}")
        reply = reply_to(run_id, run, body, now=datetime.now(UTC))
        await self.publisher.publish([reply.envelope])
        return reply.question

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

        While the run is `awaiting_input`, `on_input` is called once per open question (each of the run document's
        `pending_inputs`; it may answer through `reply`; the wait counts against `max_wait` only while it runs).

        Returns:
            The run's final view (`GET /api/runs/{id}`'s JSON).

        Raises:
            RunLookupError: The run did not appear within `max_wait` seconds.
            TaskDeadLetteredError: The ingress dead-lettered the run's task (the reason is its dead-letter reason).
            TimeoutError: It had not ended after `max_wait` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = None if max_wait is None else loop.time() + max_wait
        shown = 0
        asked: set[Any] = set()
        next_letter_check = loop.time()
        while True:
            run = await self.store.read_run(run_id)
            if (run is None or run.get("status") == RunStatus.QUEUED) and loop.time() >= next_letter_check:
                # A task the ingress refused leaves the run queued forever; its dead letter says why.
                next_letter_check = loop.time() + DEAD_LETTER_CHECK_SECONDS
                await self._raise_if_dead_lettered(run_id)
            # Entries are read after the status, so the last poll of an ended run sees all of them.
            for entry in await self.store.read(run_id, shown):
                on_entry(entry)
                shown += 1
            if run is not None and run.get("status") in TERMINAL_STATUSES:
                if run.get("status") == RunStatus.FAILED and shown == 0:
                    # The ingress fails the run of a task it dead-letters: the letter says why, and where it is.
                    await self._raise_if_dead_lettered(run_id)
                return await self.view(run_id)
            waiting = run is not None and run.get("status") == RunStatus.AWAITING_INPUT
            for request_id, pending in open_questions(run if waiting else None).items():
                if on_input is None or request_id in asked:
                    continue
                asked.add(request_id)
                started = loop.time()
                await on_input(pending)
                if deadline is not None:
                    deadline += loop.time() - started  # a person's thinking time is not the run's
            if deadline is not None and loop.time() >= deadline:
                if run is None:
                    raise RunLookupError(f"no run {preview(run_id)}")
                raise TimeoutError(f"run {run_id} is still {run.get('status')} after {max_wait:g}s")
            await asyncio.sleep(poll_seconds)

    async def _raise_if_dead_lettered(self, run_id: str) -> None:
        if self._dead_letters is None:
            return
        letter = await self._dead_letters.show(TASKS_QUEUE, run_id)
        if letter is not None:
            why = letter.description or letter.reason or "no reason given"
            raise TaskDeadLetteredError(
                f"the ingress dead-lettered the task of run {run_id}: {why} "
                f"(switchboard dlq show {TASKS_QUEUE} {run_id})"
            )


@asynccontextmanager
async def dead_letters(settings: HostingSettings) -> AsyncIterator[DeadLetters]:
    """The namespace's dead-letter queues through one client, closed on exit."""
    client = service_bus_client(settings)
    try:
        yield DeadLetters(client)
    finally:
        await client.close()
