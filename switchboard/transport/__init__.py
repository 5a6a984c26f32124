"""The Service Bus adapter: the one module outside hosting that imports `azure.servicebus`."""

from switchboard.transport.connection import service_bus_client
from switchboard.transport.dead_letters import DeadLetter, DeadLetters
from switchboard.transport.errors import BusConfigurationError, BusUnavailableError, EntityNotFoundError
from switchboard.transport.mapping import (
    delivery_attempt,
    envelope_from_message,
    envelope_properties,
    message_for,
    text_properties,
)
from switchboard.transport.publisher import (
    Routes,
    ServiceBusPublisher,
    SubscriptionTable,
)

__all__ = [
    "BusConfigurationError",
    "BusUnavailableError",
    "DeadLetter",
    "DeadLetters",
    "EntityNotFoundError",
    "Routes",
    "ServiceBusPublisher",
    "SubscriptionTable",
    "delivery_attempt",
    "envelope_from_message",
    "envelope_properties",
    "message_for",
    "service_bus_client",
    "text_properties",
]
