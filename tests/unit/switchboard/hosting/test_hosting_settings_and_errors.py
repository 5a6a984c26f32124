"""HostingSettings names and credentials, and SDK errors mapped to Switchboard errors by type and status (no I/O)."""

from __future__ import annotations

import pytest
from azure.core.exceptions import ServiceRequestError
from azure.cosmos.exceptions import CosmosBatchOperationError, CosmosHttpResponseError
from azure.identity.aio import DefaultAzureCredential, ManagedIdentityCredential
from azure.servicebus.exceptions import (
    MessagingEntityNotFoundError,
    ServiceBusConnectionError,
    ServiceBusError,
    ServiceBusServerBusyError,
)

from switchboard.errors import Disposition, StateConflictError, disposition_for
from switchboard.hosting.settings import HostingSettings, HostingSettingsError
from switchboard.state.client import identity_credential as state_identity
from switchboard.state.errors import StoreRequestError, StoreUnavailableError, store_error
from switchboard.transport.connection import identity_credential as transport_identity
from switchboard.transport.connection import service_bus_client
from switchboard.transport.errors import (
    BusBusyError,
    BusConfigurationError,
    BusUnavailableError,
    EntityNotFoundError,
    bus_error,
)


def test_settings_use_the_function_app_names(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ServiceBusConnection", "COSMOS_KEY", "COSMOS_DATABASE", "COSMOS_CONTAINER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ServiceBusConnection__fullyQualifiedNamespace", "sb-x.servicebus.windows.net")
    monkeypatch.setenv("ServiceBusConnection__clientId", "00000000-0000-0000-0000-000000000001")
    monkeypatch.setenv("COSMOS_ENDPOINT", "https://x.documents.azure.com:443/")
    settings = HostingSettings()
    assert settings.service_bus_connection is None
    assert settings.service_bus_namespace == "sb-x.servicebus.windows.net"
    assert settings.service_bus_client_id == "00000000-0000-0000-0000-000000000001"
    assert settings.require_cosmos() == "https://x.documents.azure.com:443/"
    assert settings.cosmos_key is None
    assert (settings.cosmos_database, settings.cosmos_container) == ("switchboard", "runs")
    settings.require_service_bus()


def test_keys_stay_secret_and_missing_settings_name_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ServiceBusConnection", "ServiceBusConnection__fullyQualifiedNamespace", "COSMOS_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COSMOS_KEY", "very-secret")
    settings = HostingSettings()
    assert "very-secret" not in repr(settings)
    with pytest.raises(HostingSettingsError, match="ServiceBusConnection__fullyQualifiedNamespace"):
        settings.require_service_bus()
    with pytest.raises(HostingSettingsError, match="COSMOS_ENDPOINT"):
        settings.require_cosmos()


@pytest.mark.parametrize(
    ("status", "expected", "disposition"),
    [
        (412, StateConflictError, Disposition.RETRY),
        (429, StoreUnavailableError, Disposition.RETRY),
        (503, StoreUnavailableError, Disposition.RETRY),
        (408, StoreUnavailableError, Disposition.RETRY),
        (400, StoreRequestError, Disposition.FAIL_RUN),
        (403, StoreRequestError, Disposition.FAIL_RUN),
        (413, StoreRequestError, Disposition.FAIL_RUN),
    ],
)
def test_cosmos_errors_map_by_status(status: int, expected: type[Exception], disposition: Disposition) -> None:
    raised = CosmosHttpResponseError(status_code=status, message="secret item text")  # type: ignore[no-untyped-call]
    error = store_error(raised, "commit")
    assert type(error) is expected
    assert disposition_for(error) is disposition
    assert "secret item text" not in error.reason


def test_cosmos_transport_failures_and_batch_errors_map_by_type() -> None:
    assert isinstance(store_error(ServiceRequestError("refused"), "read"), StoreUnavailableError)
    batch = CosmosBatchOperationError(  # type: ignore[no-untyped-call]
        error_index=0, headers={}, status_code=429, message="x", operation_responses=[]
    )
    assert isinstance(store_error(batch, "commit"), StoreUnavailableError)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (MessagingEntityNotFoundError(message="no queue"), EntityNotFoundError),
        (ServiceBusConnectionError(message="reset"), BusUnavailableError),
        (ServiceBusServerBusyError(message="busy"), BusBusyError),
    ],
)
def test_service_bus_errors_map_by_type(error: Exception, expected: type[Exception]) -> None:
    assert isinstance(error, ServiceBusError)
    mapped = bus_error(error, "send to queue 'x'")
    assert type(mapped) is expected
    assert mapped.reason.startswith("send to queue 'x'")
    assert isinstance(mapped, BusConfigurationError) == (expected is EntityNotFoundError)


def test_a_missing_entity_names_the_command_that_writes_the_entity_list() -> None:
    mapped = bus_error(MessagingEntityNotFoundError(message="no queue 'triage'"), "send to queue 'triage'")
    assert "switchboard infra entities --write" in mapped.reason
    assert "python -m local_emulators up" in mapped.reason


async def test_identity_based_access_in_azure_and_keys_locally() -> None:
    azure = HostingSettings.model_validate(
        {
            "ServiceBusConnection__fullyQualifiedNamespace": "sb-x.servicebus.windows.net",
            "ServiceBusConnection__clientId": "00000000-0000-0000-0000-000000000001",
            "COSMOS_ENDPOINT": "https://x.documents.azure.com:443/",
        }
    )
    bus_credential = transport_identity(azure)
    assert isinstance(bus_credential, ManagedIdentityCredential)
    client = service_bus_client(azure, credential=bus_credential)
    assert client.fully_qualified_namespace == "sb-x.servicebus.windows.net"
    await client.close()
    await bus_credential.close()
    cosmos_credential = state_identity(azure)
    assert isinstance(cosmos_credential, DefaultAzureCredential)
    await cosmos_credential.close()
    local = HostingSettings.model_validate(
        {
            "ServiceBusConnection": "Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=v;",
            "COSMOS_KEY": "k",
        }
    )
    assert transport_identity(local) is None
    assert state_identity(local) is None
