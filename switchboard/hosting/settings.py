"""`HostingSettings`: where the bus and the run store are, one setting name each (docs/hosting.md).

The names are identical in the environment, `local.settings.json` `Values` and the Function App's settings.
Locally the Service Bus setting is a connection string and Cosmos gets a key; in Azure the namespace's host name
(`ServiceBusConnection__fullyQualifiedNamespace`, optionally a user-assigned identity's `__clientId`) and no key
select identity-based access.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from switchboard.errors import PermanentError


class HostingSettingsError(PermanentError):
    """A hosting setting is missing or contradicts another; the reason names the settings to set."""


class HostingSettings(BaseSettings):
    """Hosting settings read from environment variables (exact Azure Functions names, case-insensitive).

    Attributes:
        service_bus_connection: `ServiceBusConnection`: a Service Bus connection string (local only).
        service_bus_namespace: `ServiceBusConnection__fullyQualifiedNamespace`: the namespace host for identity access.
        service_bus_client_id: `ServiceBusConnection__clientId`: a user-assigned managed identity's client id.
        cosmos_endpoint: `COSMOS_ENDPOINT`: the account endpoint, e.g. `http://127.0.0.1:8081/` locally.
        cosmos_key: `COSMOS_KEY`: the account key (local only; without it the identity is used).
        cosmos_database: `COSMOS_DATABASE`: the database name.
        cosmos_container: `COSMOS_CONTAINER`: the container of the runs (partition key `/run_id`).
        retry_budget_seconds: `SWITCHBOARD_RETRY_BUDGET_SECONDS`: how long a streak of transient failures may
            last before the run fails with the last error (default 900: 15 minutes).
        retry_base_seconds: `SWITCHBOARD_RETRY_BASE_SECONDS`: the back-off before the first retry; doubles after.
        retry_max_delay_seconds: `SWITCHBOARD_RETRY_MAX_DELAY_SECONDS`: the longest computed back-off (a
            dependency's own Retry-After may ask for longer).
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, case_sensitive=False)

    service_bus_connection: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ServiceBusConnection", "service_bus_connection")
    )
    service_bus_namespace: str | None = Field(
        default=None,
        validation_alias=AliasChoices("ServiceBusConnection__fullyQualifiedNamespace", "service_bus_namespace"),
    )
    service_bus_client_id: str | None = Field(
        default=None, validation_alias=AliasChoices("ServiceBusConnection__clientId", "service_bus_client_id")
    )
    cosmos_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("COSMOS_ENDPOINT", "cosmos_endpoint")
    )
    cosmos_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("COSMOS_KEY", "cosmos_key"))
    cosmos_database: str = Field(
        default="switchboard", validation_alias=AliasChoices("COSMOS_DATABASE", "cosmos_database")
    )
    cosmos_container: str = Field(default="runs", validation_alias=AliasChoices("COSMOS_CONTAINER", "cosmos_container"))
    retry_budget_seconds: float = Field(
        default=900.0,
        ge=0,
        validation_alias=AliasChoices("SWITCHBOARD_RETRY_BUDGET_SECONDS", "retry_budget_seconds"),
    )
    retry_base_seconds: float = Field(
        default=2.0, gt=0, validation_alias=AliasChoices("SWITCHBOARD_RETRY_BASE_SECONDS", "retry_base_seconds")
    )
    retry_max_delay_seconds: float = Field(
        default=120.0,
        gt=0,
        validation_alias=AliasChoices("SWITCHBOARD_RETRY_MAX_DELAY_SECONDS", "retry_max_delay_seconds"),
    )

    def require_service_bus(self) -> None:
        """Check that one way to reach Service Bus is set.

        Raises:
            HostingSettingsError: Neither `ServiceBusConnection` nor `ServiceBusConnection__fullyQualifiedNamespace`.
        """
        if self.service_bus_connection is None and not self.service_bus_namespace:
            raise HostingSettingsError(
                "Service Bus is not configured: set ServiceBusConnection (a connection string, locally) or "
                "ServiceBusConnection__fullyQualifiedNamespace (identity-based, in Azure)"
            )

    def require_cosmos(self) -> str:
        """Return the Cosmos endpoint.

        Raises:
            HostingSettingsError: `COSMOS_ENDPOINT` is not set.
        """
        if not self.cosmos_endpoint:
            raise HostingSettingsError(
                "Cosmos DB is not configured: set COSMOS_ENDPOINT (and COSMOS_KEY locally; in Azure the "
                "managed identity is used)"
            )
        return self.cosmos_endpoint
