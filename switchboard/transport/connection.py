"""The process's one `ServiceBusClient`: a connection string locally, a managed identity in Azure."""

from __future__ import annotations

from azure.identity.aio import DefaultAzureCredential, ManagedIdentityCredential
from azure.servicebus.aio import ServiceBusClient

from switchboard.hosting.settings import HostingSettings


def service_bus_client(settings: HostingSettings) -> ServiceBusClient:
    """Create the client the settings describe (it connects lazily, on the first send or receive).

    `ServiceBusConnection` (a connection string) wins when set; otherwise the namespace of
    `ServiceBusConnection__fullyQualifiedNamespace` is reached with `ManagedIdentityCredential(client_id=...)` when
    `ServiceBusConnection__clientId` is set, else with `DefaultAzureCredential`, as the Functions host does.

    Args:
        settings: The hosting settings.

    Returns:
        An async client; the caller closes it (`async with` or `await client.close()`).

    Raises:
        HostingSettingsError: Neither setting is present.
    """
    settings.require_service_bus()
    if settings.service_bus_connection is not None:
        return ServiceBusClient.from_connection_string(settings.service_bus_connection.get_secret_value())
    namespace = settings.service_bus_namespace or ""
    credential = (
        ManagedIdentityCredential(client_id=settings.service_bus_client_id)
        if settings.service_bus_client_id
        else DefaultAzureCredential()
    )
    return ServiceBusClient(namespace, credential)
