"""`ServiceBusPublisher`: the `Publisher` port on Service Bus, plus run events and task submission."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from azure.core.credentials_async import AsyncTokenCredential
from azure.servicebus import ServiceBusMessage
from azure.servicebus.aio import ServiceBusClient
from azure.servicebus.exceptions import ServiceBusError

from switchboard.hosting.entity_names import RUN_EVENTS_TOPIC, TASKS_QUEUE
from switchboard.hosting.settings import HostingSettings
from switchboard.hosting.transient_retry import RetryCopy
from switchboard.instrumentation import current as current_telemetry
from switchboard.messages import Envelope
from switchboard.transport.connection import identity_credential, service_bus_client
from switchboard.transport.errors import bus_error
from switchboard.transport.mapping import CONTENT_TYPE, message_for, retry_message
from switchboard.transport.sender_pool import SenderPool


class Routes(Protocol):
    """Which agents take a message type (`switchboard.runtime.Router` is one)."""

    def subscribers(self, type_name: str) -> Sequence[str]:
        """The names of the agents, hence queues, that handle `type_name`."""
        ...


class SubscriptionTable:
    """`Routes` from a plain mapping of message type to agent names (when no `Router` is at hand)."""

    def __init__(self, table: Mapping[str, Sequence[str]]) -> None:
        self._table = {name: tuple(agents) for name, agents in table.items()}

    def subscribers(self, type_name: str) -> Sequence[str]:
        """The agents subscribed to `type_name` (none when unknown)."""
        return self._table.get(type_name, ())


class ServiceBusPublisher:
    """Sends envelopes to agents' queues, run status events to `run-events`, and tasks to `tasks`.

    One instance per process wraps the process's one `ServiceBusClient` and keeps a few senders per entity
    (`SenderPool`), opened on first use. A publish (no target) becomes one message per subscribing agent's queue; one
    that no agent takes goes nowhere on the bus. Each message keeps its envelope's deterministic id, so a re-send is
    dropped by duplicate detection.

    Attributes:
        sent: How many messages this publisher handed to Service Bus (all entities).
    """

    def __init__(
        self,
        client: ServiceBusClient,
        routes: Routes,
        *,
        tasks_queue: str = TASKS_QUEUE,
        events_topic: str = RUN_EVENTS_TOPIC,
    ) -> None:
        self.client = client
        self.routes = routes
        self.tasks_queue = tasks_queue
        self.events_topic = events_topic
        self.sent = 0
        self._owned_client = False
        self._credential: AsyncTokenCredential | None = None
        self._pool = SenderPool(client)

    @classmethod
    def from_settings(cls, settings: HostingSettings, routes: Routes) -> ServiceBusPublisher:
        """A publisher with its own client (closed by `close`), as the settings describe."""
        credential = identity_credential(settings)
        publisher = cls(service_bus_client(settings, credential=credential), routes)
        publisher._owned_client = True
        publisher._credential = credential
        return publisher

    def deliveries(self, envelopes: Sequence[Envelope]) -> dict[str, list[Envelope]]:
        """Group the envelopes by destination queue, fanning publishes out to subscribers (order kept per queue)."""
        by_queue: dict[str, list[Envelope]] = {}
        for envelope in envelopes:
            if envelope.target is not None:
                by_queue.setdefault(envelope.target, []).append(envelope)
                continue
            for agent in self.routes.subscribers(envelope.type):
                by_queue.setdefault(agent, []).append(envelope.retarget(agent))
        return by_queue

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        """Send every envelope: targeted ones to their agent's queue, publishes to each subscriber's queue.

        Raises:
            BusUnavailableError: Service Bus did not take a message (transient; the whole call may be repeated, the
                copies already sent are dropped as duplicates).
            BusConfigurationError: A queue is missing or the message is too large.
        """
        telemetry = current_telemetry()
        for queue, batch in self.deliveries(envelopes).items():
            first = batch[0]
            ids = [envelope.message_id for envelope in batch]
            with telemetry.send(queue=queue, run_id=first.run_id, agent=first.source, message_ids=ids) as span:
                # The consumer's `process` span becomes this span's child: stamp its context on every message.
                if (traceparent := span.traceparent) is not None:
                    batch = [envelope.model_copy(update={"traceparent": traceparent}) for envelope in batch]
                await self._send("queue", queue, [message_for(envelope) for envelope in batch])

    async def schedule(self, envelopes: Sequence[Envelope], at: datetime) -> None:
        """Send every envelope as `publish` does, for delivery at `at` (`scheduled_enqueue_time_utc`).

        A timeout that must fire days later is a message Service Bus holds until then: no process waits for it.
        """
        for queue, batch in self.deliveries(envelopes).items():
            messages = [message_for(envelope) for envelope in batch]
            for message in messages:
                message.scheduled_enqueue_time_utc = at
            await self._send("queue", queue, messages)

    async def send_copy(self, copy: RetryCopy) -> None:
        """Enqueue a retry copy of a received message for `copy.at` (`switchboard.hosting.transient_retry`).

        Raises:
            BusUnavailableError: Service Bus did not take it (`BusBusyError` while the namespace is busy).
            BusConfigurationError: The queue is missing or the message is too large.
        """
        await self._send("queue", copy.queue, [retry_message(copy)])

    async def redrive(self, envelopes: Sequence[Envelope], *, attempt: str) -> None:
        """Send envelopes again, as `publish`, with MessageId `<message id>/resume-<attempt>` (`runs resume`).

        The envelopes (so their inbox marks and step keys) are unchanged; only duplicate detection must not drop them.
        """
        for queue, batch in self.deliveries(envelopes).items():
            messages = [message_for(envelope) for envelope in batch]
            for envelope, message in zip(batch, messages, strict=True):
                message.message_id = f"{envelope.message_id}/resume-{attempt}"
            await self._send("queue", queue, messages)

    async def publish_event(self, run_id: str, status: str, *, event_id: str | None = None) -> None:
        """Announce a run status change on the `run-events` topic (`subject` = status, property `run_id`).

        Args:
            run_id: The run.
            status: Its new status.
            event_id: A deterministic message id, so a redelivered hop's event is dropped as a duplicate;
                defaults to `<run_id>/<status>`.
        """
        message = ServiceBusMessage(
            json.dumps({"run_id": run_id, "status": status}),
            message_id=event_id or f"{run_id}/{status}",
            subject=status,
            content_type=CONTENT_TYPE,
            application_properties={"run_id": run_id, "status": status},
        )
        await self._send("topic", self.events_topic, [message])

    async def send_task(self, run_id: str, *, task: str, team: str | None = None) -> None:
        """Post a task to the ingress queue with MessageId = `run_id` (a re-post starts no second run)."""
        body: dict[str, str] = {"task": task}
        if team:
            body["team"] = team
        # Submitting starts the run's trace (its id derives from the run id); the ingress continues it.
        with current_telemetry().send(
            queue=self.tasks_queue, run_id=run_id, agent=None, message_ids=[run_id], new_trace=True
        ) as span:
            traceparent = span.traceparent
            properties: dict[str | bytes, Any] | None = {"traceparent": traceparent} if traceparent else None
            message = ServiceBusMessage(
                json.dumps(body, ensure_ascii=False),
                message_id=run_id,
                content_type=CONTENT_TYPE,
                application_properties=properties,
            )
            await self._send("queue", self.tasks_queue, [message])

    async def close(self) -> None:
        """Close every sender, and the client when this publisher created it."""
        await self._pool.close()
        if self._owned_client:
            await self.client.close()
        if self._credential is not None:
            await self._credential.close()

    async def _send(self, kind: str, entity: str, messages: list[ServiceBusMessage]) -> None:
        try:
            await self._pool.use(kind, entity, lambda sender: sender.send_messages(messages))
        except ServiceBusError as error:
            raise bus_error(error, f"send to {kind} {entity!r}") from error
        self.sent += len(messages)
