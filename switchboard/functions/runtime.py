"""`HostedRuntime`: what one Function App process shares between its invocations.

The agents are built once, when the worker imports `function_app.py` (their model client resolves its endpoint on
the first call). The Cosmos and Service Bus clients are opened on the first invocation, inside the event loop the
worker runs functions on, and reused by every later invocation of that process — one client per SDK per process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from switchboard.agent import Agent, SystemClock
from switchboard.errors import SwitchboardError
from switchboard.functions.deferred_model import DeferredModelClient
from switchboard.hosting.backoff import BackoffPolicy
from switchboard.hosting.best_effort_events import announce
from switchboard.hosting.input_reply import reply_to
from switchboard.hosting.lifecycle_settings import RunLifecycleSettings
from switchboard.hosting.processor import MessageProcessor
from switchboard.hosting.run_status import TERMINAL_STATUSES
from switchboard.hosting.settings import HostingSettings
from switchboard.hosting.shutdown import on_shutdown
from switchboard.hosting.submission import Submitted, submit_run
from switchboard.hosting.task_request import InvalidTaskError, TaskTooLargeError, task_request
from switchboard.hosting.transient_retry import TransientRetries
from switchboard.models.agent_models import assign_agent_clients
from switchboard.models.openai_client import settings_agent_client
from switchboard.protocol import TEAM_MESSAGES
from switchboard.protocol.input_messages import INPUT_MESSAGES
from switchboard.runtime.router import Router
from switchboard.state import CosmosRunStore
from switchboard.teams.spec import TeamSpec
from switchboard.telemetry import configure_telemetry
from switchboard.transport import ServiceBusPublisher


class RunRequestError(SwitchboardError):
    """A run request that cannot be honoured (bad body, unknown team, run already ended)."""


class RunNotFoundError(SwitchboardError):
    """No run has this id."""


class HostedRuntime:
    """The agents of every team plus the process's store, publisher and processor."""

    def __init__(self, teams: Mapping[str, TeamSpec], *, settings: HostingSettings | None = None) -> None:
        """Build every team's agents around one deferred model client; open no connection yet."""
        if not teams:
            raise SwitchboardError("a Function App needs at least one team")
        # Once per process: spans and metrics go where APPLICATIONINSIGHTS_CONNECTION_STRING / OTLP settings say.
        configure_telemetry()
        self.teams = dict(teams)
        self.default_team = next(iter(self.teams))
        self.model_client = DeferredModelClient()
        self.built_teams = {name: spec.build(self.model_client) for name, spec in self.teams.items()}
        self.agents: list[Agent[Any]] = [agent for team in self.built_teams.values() for agent in team.agents()]
        # A model per agent: `MODEL__<AGENT>__*` settings, read on each agent's first call like the team's.
        self.agent_clients = assign_agent_clients(self.agents, self.model_client, settings_agent_client)
        self.router = Router(self.agents, extra_messages=(*TEAM_MESSAGES, *INPUT_MESSAGES))
        self._settings = settings
        self._processor: MessageProcessor | None = None
        self._store: CosmosRunStore | None = None
        self._publisher: ServiceBusPublisher | None = None
        self._lock = asyncio.Lock()
        on_shutdown(self.close)  # a host that stops the process closes the clients first (`hosting/shutdown.py`)

    async def close(self) -> None:
        """Close the Service Bus, Cosmos and model clients this process opened (they reopen on the next use)."""
        publisher, store = self._publisher, self._store
        self._processor = self._store = self._publisher = None
        if publisher is not None:
            await publisher.close()
        if store is not None:
            await store.close()
        await self.model_client.close()

    async def processor(self) -> MessageProcessor:
        """The process's message processor, opening the Cosmos and Service Bus clients on first use."""
        if self._processor is None:
            async with self._lock:
                if self._processor is None:
                    settings = self._settings or HostingSettings()
                    store = CosmosRunStore.from_settings(settings)
                    await store.create_if_missing()
                    publisher = ServiceBusPublisher.from_settings(settings, self.router)
                    self._store, self._publisher = store, publisher
                    self._processor = MessageProcessor(
                        router=self.router,
                        store=store,
                        journal=store,
                        transcript=store,
                        runs=store,
                        publisher=publisher,
                        teams={name: spec.name for name, spec in self.teams.items()},
                        retries=TransientRetries(BackoffPolicy.from_settings(settings), publisher, clock=SystemClock()),
                        max_delivery_count=RunLifecycleSettings().max_delivery_count,
                    )
        return self._processor

    async def store(self) -> CosmosRunStore:
        """The process's Cosmos run store."""
        await self.processor()
        assert self._store is not None
        return self._store

    async def submit(self, body: Any, *, idempotency_key: str | None = None) -> Submitted:
        """Create a queued run for an HTTP request body and post it to the `tasks` queue (`submit_run`'s order).

        Raises:
            RunRequestError: The body is not `{"task": str, "team"?: str}` or names an unknown team.
            TaskTooLargeError: The task is larger than one message carries.
            InvalidRequestError: The idempotency key is malformed.
            IdempotencyConflictError: The key was used for another task or team.
            SubmitUnavailableError: Cosmos or Service Bus could not take it now; nothing was left behind.
        """
        try:
            request = task_request(body, teams=self.teams, default_team=self.default_team)
        except TaskTooLargeError:
            raise
        except InvalidTaskError as error:
            raise RunRequestError(error.reason) from None
        store = await self.store()
        assert self._publisher is not None
        return await submit_run(store, self._publisher, request, idempotency_key=idempotency_key)

    async def run_view(self, run_id: str) -> dict[str, Any]:
        """The run with its transcript and usage, as `GET /api/runs/{id}` returns it.

        Raises:
            RunNotFoundError: No such run.
        """
        view = await (await self.store()).get_run(run_id)
        if view is None:
            raise RunNotFoundError(f"no run {run_id!r}")
        return view

    async def cancel(self, run_id: str) -> str:
        """Ask a run to stop at its next step boundary; returns the run's status afterwards.

        Raises:
            RunNotFoundError: No such run.
            RunRequestError: The run already ended.
        """
        view = await self.run_view(run_id)
        if view["status"] in TERMINAL_STATUSES:
            raise RunRequestError(f"run {run_id} already ended as {view['status']}")
        status = await (await self.store()).request_cancel(run_id)
        assert self._publisher is not None
        await announce(self._publisher, run_id, status)  # the run document says `cancelled` already
        return status

    async def reply(self, run_id: str, body: Any) -> dict[str, Any]:
        """Answer one of a run's open questions (`{"input": ...}` or `{"approve": ...}`); the waiting agent resumes.

        The body names the question with `"request_id"` (needed only while several are open).

        Returns:
            The question that was answered (from the run document's `pending_inputs`).

        Raises:
            RunNotFoundError: No such run.
            NotAwaitingInputError: The run waits for no input, or the request id is not an open question.
            InputReplyError: The body does not answer the question.
        """
        store = await self.store()
        run = await store.read_run(run_id)
        if run is None:
            raise RunNotFoundError(f"no run {run_id!r}")
        reply = reply_to(run_id, run, body, now=(await self.processor()).clock.now())
        assert self._publisher is not None
        await self._publisher.publish([reply.envelope])
        return reply.question
