"""A toy Function App for the local host's tests: each function appends what it saw to the file $TOY_OUTPUT."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import azure.functions as func
import azurefunctions.extensions.bindings.servicebus as sb

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)


def record(**fields: Any) -> None:
    """Append one JSON line (one write, so concurrent invocations never interleave)."""
    with open(os.environ["TOY_OUTPUT"], "a", encoding="utf-8") as out:
        out.write(json.dumps(fields, default=str) + "\n")


def _text(value: Any) -> Any:
    return value.decode() if isinstance(value, bytes) else value


@app.function_name("plain")
@app.service_bus_queue_trigger(arg_name="msg", connection="ToyServiceBus", queue_name="%PLAIN_QUEUE%")
def plain(msg: func.ServiceBusMessage) -> None:
    """Plain trigger, auto-complete: a body of "fail" raises (abandon, redelivery, then the DLQ)."""
    body = msg.get_body().decode()
    record(
        fn="plain",
        body=body,
        message_id=msg.message_id,
        delivery_count=msg.delivery_count,
        application_properties=msg.application_properties,
        correlation_id=msg.correlation_id,
        content_type=msg.content_type,
        subject=msg.subject,
        sequence_number=msg.sequence_number,
        enqueued=msg.enqueued_time_utc is not None,
        lock_token=msg.lock_token,
        label=os.environ["TOY_LABEL"],
    )
    if body.startswith("fail"):
        raise RuntimeError("asked to fail")


@app.function_name("sessions")
@app.service_bus_queue_trigger(
    arg_name="msg",
    connection="ToyServiceBus",
    queue_name="toy-sessions",
    is_sessions_enabled=True,
    auto_complete_messages=False,
)
async def sessions(msg: sb.ServiceBusReceivedMessage, actions: sb.ServiceBusMessageActions) -> None:
    """SDK-type binding that settles itself: the body picks complete, dead-letter or abandon."""
    body = str(msg)
    record(
        fn="sessions",
        body=body,
        message_id=msg.message_id,
        session_id=msg.session_id,
        delivery_count=msg.delivery_count,
        application_properties={_text(k): _text(v) for k, v in (msg.application_properties or {}).items()},
        lock_token=str(msg.lock_token),
    )
    if body.startswith("dead"):
        actions.deadletter(msg, deadletter_reason="ToyReason", deadletter_error_description="asked to dead-letter")
    elif body.startswith("abandon"):
        actions.abandon(msg)
    else:
        actions.complete(msg)


_kept: list[Any] = []


async def _close_kept() -> None:
    for client in _kept:
        await client.close()
    record(fn="shutdown", closed=len(_kept))


@app.function_name("slow")
@app.service_bus_queue_trigger(arg_name="msg", connection="ToyServiceBus", queue_name="toy-slow")
async def slow(msg: func.ServiceBusMessage) -> None:
    """Sleeps for the seconds in the body: longer than the queue's 5 s lock, so only renewal keeps it.

    A message id starting `keep-` also opens a Service Bus client kept for the process (as an app's runtime keeps
    its clients), closed by a shutdown hook when the host stops.
    """
    record(fn="slow", event="start", message_id=msg.message_id, delivery_count=msg.delivery_count)
    if str(msg.message_id).startswith("keep-") and not _kept:
        from azure.servicebus.aio import ServiceBusClient

        from switchboard.hosting.shutdown import on_shutdown

        client = ServiceBusClient.from_connection_string(os.environ["ToyServiceBus"])  # noqa: SIM112 - the setting's name
        sender = client.get_queue_sender("toy-sessions")
        await sender.__aenter__()  # an open link with its keep-alive task, like a publisher's
        _kept.append(client)
        on_shutdown(_close_kept)
    await asyncio.sleep(float(msg.get_body()))
    record(fn="slow", event="end", message_id=msg.message_id, delivery_count=msg.delivery_count)


@app.function_name("topic_listener")
@app.service_bus_topic_trigger(
    arg_name="msg", connection="ToyServiceBus", topic_name="toy-events", subscription_name="toy"
)
def topic_listener(msg: func.ServiceBusMessage) -> None:
    """Topic subscription trigger."""
    record(fn="topic", body=msg.get_body().decode(), message_id=msg.message_id)


@app.route(route="hello/{name}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def hello(req: func.HttpRequest) -> func.HttpResponse:
    """Anonymous route with a route parameter and a query parameter."""
    return func.HttpResponse(f"hello {req.route_params['name']}{req.params.get('suffix', '')}")


@app.route(route="secret", methods=["POST"])
def secret(req: func.HttpRequest) -> func.HttpResponse:
    """Function-level route (the app's default auth level)."""
    return func.HttpResponse(json.dumps({"echo": req.get_body().decode()}), mimetype="application/json")


@app.function_name("tick")
@app.timer_trigger(arg_name="timer", schedule="%TOY_TICK%")
def tick(timer: func.TimerRequest) -> None:
    """Timer trigger on the schedule the TOY_TICK setting names."""
    record(fn="tick", past_due=timer.past_due, label=os.environ["TOY_LABEL"])
