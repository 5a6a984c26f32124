"""Service Bus trigger listeners: one per function, on a queue or a topic subscription, with or without sessions.

Non-session entities: one receiver, up to maxConcurrentCalls messages in flight. Session-enabled ones:
maxConcurrentSessions slots, each accepting the next available session, handling its messages one at a time and
releasing it after sessionIdleTimeout without a message (or when the function asked to release it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from azure.identity.aio import DefaultAzureCredential
from azure.servicebus import NEXT_AVAILABLE_SESSION
from azure.servicebus.aio import ServiceBusClient, ServiceBusReceiver
from azure.servicebus.exceptions import OperationTimeoutError, SessionLockLostError

from switchboard.local_host.app_settings import AppSettings
from switchboard.local_host.host_config import ServiceBusOptions
from switchboard.local_host.message_invocation import MessageInvocation
from switchboard.local_host.settlement import HeldMessages
from switchboard.local_host.validation import IndexedFunction

logger = logging.getLogger("switchboard.host")
T = TypeVar("T")
# Seconds one receive call waits before the loop looks at the stop flag again.
POLL_SECONDS = 1.0
RETRY_SECONDS = 2.0
# Seconds a session slot waits to accept a session before it asks again (shutdown cancels the wait).
ACCEPT_SECONDS = 30.0
# Receivers per non-session trigger (they share maxConcurrentCalls).
MESSAGE_RECEIVERS = 4


class ServiceBusConnections:
    """One `ServiceBusClient` per connection setting, from `<conn>` or `<conn>__fullyQualifiedNamespace`."""

    def __init__(self, settings: AppSettings) -> None:
        """Resolve connections against ``settings``."""
        self._settings = settings
        self._clients: dict[str, ServiceBusClient] = {}
        self._credentials: list[DefaultAzureCredential] = []
        # Each session receiver opens its own AMQP connection; without a shared context the SDK builds a new
        # SSLContext (loading the system CA store) for every one, even to a plain-TCP emulator: costly per session.
        self._tls = ssl.create_default_context()

    def client(self, connection: str) -> ServiceBusClient:
        """The client of connection setting ``connection`` (created on first use)."""
        if connection not in self._clients:
            connection_string = self._settings.get(connection)
            if connection_string:
                self._clients[connection] = ServiceBusClient.from_connection_string(
                    connection_string, ssl_context=self._tls
                )
            else:
                namespace = self._settings.require(
                    f"{connection}__fullyQualifiedNamespace", f"connection {connection!r} of a Service Bus trigger"
                )
                credential = DefaultAzureCredential(
                    managed_identity_client_id=self._settings.get(f"{connection}__clientId")
                )
                self._credentials.append(credential)
                self._clients[connection] = ServiceBusClient(namespace, credential, ssl_context=self._tls)
        return self._clients[connection]

    async def close(self) -> None:
        """Close every client and credential."""
        for client in self._clients.values():
            await client.close()
        for credential in self._credentials:
            await credential.close()


@dataclass(frozen=True)
class TriggerEntity:
    """Where a trigger receives from (names with `%Setting%` already resolved)."""

    queue: str | None
    topic: str | None
    subscription: str | None
    sessions: bool

    @classmethod
    def of(cls, function: IndexedFunction, settings: AppSettings) -> TriggerEntity:
        """Read the trigger binding of ``function``."""
        trigger = function.trigger
        purpose = f"trigger of function {function.name!r}"

        def name(key: str) -> str | None:
            value = trigger.get(key)
            return settings.resolve(str(value), purpose) if value else None

        return cls(
            name("queueName"), name("topicName"), name("subscriptionName"), bool(trigger.get("isSessionsEnabled"))
        )

    def __str__(self) -> str:
        return self.queue or f"{self.topic}/subscriptions/{self.subscription}"


class TriggerListener:
    """Receives for one function until stopped, handing each message to its `MessageInvocation`."""

    def __init__(
        self,
        entity: TriggerEntity,
        client: ServiceBusClient,
        options: ServiceBusOptions,
        invocation: MessageInvocation,
        held: HeldMessages,
        stopping: asyncio.Event,
    ) -> None:
        """Bind the listener to its entity, client and the host's stop signal."""
        self._entity = entity
        self._client = client
        self._options = options
        self._invocation = invocation
        self._held = held
        self._stopping = stopping
        self.in_flight: set[asyncio.Task[str]] = set()
        self._receiving_count = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._warned: set[str] = set()

    def _receiver(self, **kwargs: Any) -> ServiceBusReceiver:
        common: dict[str, Any] = {"prefetch_count": self._options.prefetch_count, **kwargs}
        if self._entity.queue:
            return self._client.get_queue_receiver(self._entity.queue, **common)
        return self._client.get_subscription_receiver(str(self._entity.topic), str(self._entity.subscription), **common)

    async def run(self) -> None:
        """Receive until the host stops; in-flight invocations are awaited by the host, not here."""
        if self._entity.sessions:
            slots = max(1, self._options.max_concurrent_sessions)
            await asyncio.gather(*(self._session_slot() for _ in range(slots)))
        else:
            await self._messages()

    def _spawn(self, receiver: ServiceBusReceiver, message: Any, session: Any) -> asyncio.Task[str]:
        task = asyncio.create_task(self._invocation.process(receiver, message, session))
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)
        return task

    async def _messages(self) -> None:
        # azure-servicebus (pyamqp) makes a settlement wait ~200 ms while the same receiver is inside a receive
        # call, so no receiver receives while its messages run: a few receivers share maxConcurrentCalls.
        calls = max(1, self._options.max_concurrent_calls)
        receivers = min(calls, MESSAGE_RECEIVERS)
        shares = [calls // receivers + (1 if i < calls % receivers else 0) for i in range(receivers)]
        await asyncio.gather(*(self._message_slot(share) for share in shares))

    async def _message_slot(self, share: int) -> None:
        while not self._stopping.is_set():
            try:
                async with self._receiver() as receiver:
                    self._warned.clear()  # a later outage is worth a warning again
                    while not self._stopping.is_set():
                        with self._receiving():
                            batch = await receiver.receive_messages(max_message_count=share, max_wait_time=POLL_SECONDS)
                            spawned = {self._spawn(receiver, message, None) for message in batch}
                        await _wait_all(spawned)
            except Exception as error:  # a broker restart or network fault: reopen after a pause, never give up
                self._warn("receiving", error)
                await self._pause()

    async def _session_slot(self) -> None:
        while not self._stopping.is_set():
            receiver = self._receiver(session_id=NEXT_AVAILABLE_SESSION, max_wait_time=ACCEPT_SECONDS)
            try:
                with self._receiving():
                    accepted = await self._until_stopped(receiver.__aenter__())
            except (TimeoutError, OperationTimeoutError):  # no session became available: ask again
                await _close_quietly(receiver)
                continue
            except Exception as error:  # as above: keep the slot alive
                await _close_quietly(receiver)
                self._warn("accepting a session", error)
                await self._pause()
                continue
            if accepted is None:  # stopped while waiting for a session
                await _close_quietly(receiver)
                return
            self._warned.clear()
            try:
                await self._serve_session(receiver)
            except Exception as error:  # the session's link or connection failed: accept another after a pause
                self._warn("receiving from a session", error)
                await self._pause()
            finally:
                await _close_quietly(receiver)

    async def _serve_session(self, receiver: ServiceBusReceiver) -> None:
        session = receiver.session
        held = self._held.open_session(session.session_id, receiver)
        self._invocation.renewer.register(receiver, session)
        idle_seconds = self._options.session_idle_timeout.total_seconds()
        last_message = time.monotonic()
        try:
            while not self._stopping.is_set() and not held.release_requested:
                remaining = idle_seconds - (time.monotonic() - last_message)
                if remaining <= 0:
                    return
                try:
                    with self._receiving():
                        batch = await receiver.receive_messages(
                            max_message_count=1, max_wait_time=min(POLL_SECONDS, remaining)
                        )
                        spawned = {self._spawn(receiver, message, session) for message in batch}
                except SessionLockLostError:
                    logger.warning("lost the lock of session %s on %s", session.session_id, self._entity)
                    return
                if spawned:
                    await _wait_all(spawned)
                    last_message = time.monotonic()
        finally:
            self._held.close_session(session.session_id)

    async def _until_stopped(self, work: Awaitable[T]) -> T | None:
        """Await ``work`` unless the host stops first (then cancel it and return None)."""
        task = asyncio.ensure_future(work)
        stop = asyncio.create_task(self._stopping.wait())
        done, _ = await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            stop.cancel()
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        return None

    @contextlib.contextmanager
    def _receiving(self) -> Iterator[None]:
        """Count receive calls under way: at stop the host waits for them before it counts what is in flight."""
        self._receiving_count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._receiving_count -= 1
            if self._receiving_count == 0:
                self._idle.set()

    async def receives_done(self) -> None:
        """Wait until no receive call is under way (call after the stop signal)."""
        await self._idle.wait()

    def _warn(self, action: str, error: Exception) -> None:
        """Log a receive failure once per kind (every slot of a missing entity fails the same way)."""
        kind = f"{action}:{type(error).__name__}"
        level = logging.DEBUG if kind in self._warned else logging.WARNING
        self._warned.add(kind)
        logger.log(level, "%s on %s failed (%s: %s); retrying", action, self._entity, type(error).__name__, error)

    async def _pause(self) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), RETRY_SECONDS)


async def _wait_all(tasks: set[asyncio.Task[str]]) -> None:
    """Wait for ``tasks`` without raising when the host cancels them (their invocation abandons the message)."""
    if tasks:
        await asyncio.wait(tasks)


async def _close_quietly(receiver: ServiceBusReceiver) -> None:
    """Close a receiver whose connection may already be gone."""
    with contextlib.suppress(Exception):
        await receiver.close()
