"""Drive a `MessageProcessor` from real Service Bus receivers, settling as the Function App would."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from azure.servicebus import ServiceBusReceivedMessage
from azure.servicebus.aio import ServiceBusReceiver

from switchboard.hosting.settlement import IncomingMessage, Settlement, SettlementKind
from switchboard.transport.mapping import body_bytes, delivery_attempt, text_properties


def incoming_of(message: ServiceBusReceivedMessage) -> IncomingMessage:
    """The processor's view of a received message."""
    return IncomingMessage(
        body=body_bytes(message),
        message_id=str(message.message_id or ""),
        delivery_count=delivery_attempt(message),
        session_id=message.session_id,
        application_properties=text_properties(message.application_properties),
    )


async def settle(receiver: ServiceBusReceiver, message: ServiceBusReceivedMessage, settlement: Settlement) -> None:
    """Apply a settlement through the SDK."""
    if settlement.kind is SettlementKind.COMPLETE:
        await receiver.complete_message(message)
    elif settlement.kind is SettlementKind.DEAD_LETTER:
        await receiver.dead_letter_message(
            message, reason=settlement.reason or "", error_description=settlement.description or ""
        )
    else:
        await receiver.abandon_message(message)


async def drain(
    receivers: dict[str, ServiceBusReceiver],
    process: Callable[[str, IncomingMessage], Awaitable[Settlement]],
    *,
    idle_rounds: int = 2,
    wait: float = 0.1,
) -> list[tuple[str, Settlement]]:
    """Process and settle messages from every receiver until `idle_rounds` rounds in a row bring none."""
    handled: list[tuple[str, Settlement]] = []
    idle = 0
    while idle < idle_rounds:
        progressed = False
        for queue, receiver in receivers.items():
            # One at a time: a receive returns as soon as one message is there, but waits out `wait` for more.
            for message in await receiver.receive_messages(max_message_count=1, max_wait_time=wait):
                settlement = await process(queue, incoming_of(message))
                await settle(receiver, message, settlement)
                handled.append((queue, settlement))
                progressed = True
        idle = 0 if progressed else idle + 1
    return handled
