"""Builds the Azure Functions app from a deployment's teams: one Service Bus–triggered function per agent.

Every agent (team managers included) gets a function on its own session-enabled queue; the `tasks` queue gets the
ingress function; the HTTP API of docs/hosting.md is added with function-level auth. Functions settle
their messages themselves through the Service Bus SDK-type binding (`ServiceBusMessageActions`), because that is
the only way a Python function can dead-letter bad input at once (`host.json` turns auto-complete off to match).

The functions hold no logic: they turn the trigger argument into an `IncomingMessage`, hand it to the process's
`HostedRuntime`, and apply the `Settlement` it returns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import azure.functions as func
from azurefunctions.extensions.bindings.servicebus import ServiceBusMessageActions, ServiceBusReceivedMessage

from switchboard.functions.entities import EntityList, function_name_for
from switchboard.functions.http_admin import register_admin_api
from switchboard.functions.http_api import register_http_api
from switchboard.functions.http_resume import register_resume_api
from switchboard.functions.runtime import HostedRuntime
from switchboard.functions.sweeper_function import register_sweeper
from switchboard.hosting.settlement import IncomingMessage, Settlement, SettlementKind
from switchboard.teams.spec import TeamSpec

CONNECTION = "ServiceBusConnection"
"""The one app-setting prefix every Service Bus binding uses (a connection string locally, identity in Azure)."""

Processing = Callable[[HostedRuntime, IncomingMessage], Awaitable[Settlement]]


def build_function_app(teams: Mapping[str, TeamSpec], entities: EntityList) -> func.FunctionApp:
    """Compose the Function App for `teams`.

    Args:
        teams: Every team of the deployment, by name (the registry).
        entities: The entity list generated from the same registry (queue names per agent).

    Returns:
        The app the Functions worker indexes.
    """
    app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
    runtime = HostedRuntime(teams)
    for agent, queue in entities.agent_queues().items():
        _add_queue_function(
            app,
            name=function_name_for(agent),
            queue=queue,
            sessions=True,
            runtime=runtime,
            processing=_agent_processing(agent),
        )
    _add_queue_function(
        app, name="ingress", queue=entities.tasks_queue, sessions=False, runtime=runtime, processing=_ingress
    )
    register_http_api(app, runtime)
    register_admin_api(app, runtime, [*entities.agent_queues().values(), entities.tasks_queue])
    register_resume_api(app, runtime)
    register_sweeper(app, runtime)
    return app


def _agent_processing(agent: str) -> Processing:
    async def process(runtime: HostedRuntime, incoming: IncomingMessage) -> Settlement:
        return await (await runtime.processor()).process(agent, incoming)

    return process


async def _ingress(runtime: HostedRuntime, incoming: IncomingMessage) -> Settlement:
    return await (await runtime.processor()).process_task(incoming)


def _add_queue_function(
    app: func.FunctionApp,
    *,
    name: str,
    queue: str,
    sessions: bool,
    runtime: HostedRuntime,
    processing: Processing,
) -> None:
    async def handler(msg: ServiceBusReceivedMessage, actions: ServiceBusMessageActions) -> None:
        settlement = await processing(runtime, incoming_message(msg))
        # The actions are blocking gRPC calls to the Functions host: keep them off the event loop.
        await asyncio.to_thread(apply_settlement, settlement, msg, actions)

    handler.__name__ = handler.__qualname__ = name
    # The worker matches parameters to bindings by annotation; give it the classes, not postponed strings.
    handler.__annotations__ = {"msg": ServiceBusReceivedMessage, "actions": ServiceBusMessageActions, "return": None}
    trigger = app.service_bus_queue_trigger(
        arg_name="msg",
        connection=CONNECTION,
        queue_name=queue,
        is_sessions_enabled=sessions,
        auto_complete_messages=False,
    )
    app.function_name(name=name)(trigger(handler))


def incoming_message(msg: ServiceBusReceivedMessage) -> IncomingMessage:
    """Turn the SDK-type trigger argument into the processor's SDK-free view of it."""
    return IncomingMessage(
        body=b"".join(msg.body) if not isinstance(msg.body, bytes | bytearray) else bytes(msg.body),
        message_id=str(msg.message_id) if msg.message_id is not None else "",
        # Already 1-based here: the rule is in switchboard.hosting.settlement.
        delivery_count=int(msg.delivery_count or 1),
        session_id=msg.session_id,
        application_properties=_text_properties(msg.application_properties),
    )


def apply_settlement(settlement: Settlement, msg: ServiceBusReceivedMessage, actions: ServiceBusMessageActions) -> None:
    """Settle `msg` through the Functions host as the processor decided."""
    if settlement.kind is SettlementKind.COMPLETE:
        actions.complete(msg)
    elif settlement.kind is SettlementKind.DEAD_LETTER:
        actions.deadletter(
            msg,
            deadletter_reason=settlement.reason or "dead-lettered",
            deadletter_error_description=settlement.description or "",
        )
    else:
        actions.abandon(msg)


def _text_properties(properties: Mapping[Any, Any] | None) -> dict[str, str]:
    # The SDK-type binding decodes AMQP application properties with bytes keys (and sometimes bytes values).
    text: dict[str, str] = {}
    for key, value in (properties or {}).items():
        name = key.decode() if isinstance(key, bytes) else str(key)
        text[name] = value.decode() if isinstance(value, bytes) else str(value)
    return text
