"""The process's one `ServiceBusClient`: a connection string locally, a managed identity in Azure."""

from __future__ import annotations

import ssl

from azure.core.credentials_async import AsyncTokenCredential
from azure.identity.aio import DefaultAzureCredential, ManagedIdentityCredential
from azure.servicebus.aio import ServiceBusClient

from switchboard.hosting.settings import HostingSettings


def identity_credential(settings: HostingSettings) -> AsyncTokenCredential | None:
    """The credential for identity-based access, or None when `ServiceBusConnection` (a connection string) is set.

    `ManagedIdentityCredential(client_id=ServiceBusConnection__clientId)` when a client id is set, else
    `DefaultAzureCredential`, as the Functions host does. The caller closes it after the client.
    """
    if settings.service_bus_connection is not None:
        return None
    if settings.service_bus_client_id:
        return ManagedIdentityCredential(client_id=settings.service_bus_client_id)
    return DefaultAzureCredential()


def service_bus_client(
    settings: HostingSettings, *, credential: AsyncTokenCredential | None = None
) -> ServiceBusClient:
    """Create the client the settings describe (it connects lazily, on the first send or receive).

    `ServiceBusConnection` (a connection string) wins when set; otherwise the namespace of
    `ServiceBusConnection__fullyQualifiedNamespace` is reached with `ManagedIdentityCredential(client_id=...)` when
    `ServiceBusConnection__clientId` is set, else with `DefaultAzureCredential`, as the Functions host does.

    Args:
        settings: The hosting settings.
        credential: The token credential for identity access (default: `identity_credential(settings)`).

    Returns:
        An async client; the caller closes it (`async with` or `await client.close()`).

    Raises:
        HostingSettingsError: Neither setting is present.
    """
    settings.require_service_bus()
    # One TLS context for every link the client opens (the SDK would build one, loading the CA store, per link).
    tls = ssl.create_default_context()
    if settings.service_bus_connection is not None:
        return ServiceBusClient.from_connection_string(
            settings.service_bus_connection.get_secret_value(), ssl_context=tls
        )
    namespace = settings.service_bus_namespace or ""
    credential = credential or identity_credential(settings) or DefaultAzureCredential()
    return ServiceBusClient(namespace, credential, ssl_context=tls)
