"""Where memories live: the Cosmos settings of the memory store, named like the run store's."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from switchboard.memory.errors import MemoryNotFoundError

DEFAULT_CONTAINER = "memory"


class MemorySettings(BaseSettings):
    """Memory store settings from the environment (the same names in local.settings.json and the Function App).

    Attributes:
        cosmos_endpoint: `COSMOS_MEMORY_ENDPOINT`, else `COSMOS_ENDPOINT`: the account of the memory container.
        cosmos_key: `COSMOS_MEMORY_KEY`, else `COSMOS_KEY`: the account key (locally); without it, Entra ID.
        database: `COSMOS_MEMORY_DATABASE`, else `COSMOS_DATABASE`, else `switchboard`.
        container: `COSMOS_MEMORY_CONTAINER`, else `memory`: the container (partition key `/scope`).
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    cosmos_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("COSMOS_MEMORY_ENDPOINT", "COSMOS_ENDPOINT", "cosmos_endpoint")
    )
    cosmos_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("COSMOS_MEMORY_KEY", "COSMOS_KEY", "cosmos_key")
    )
    database: str = Field(
        default="switchboard", validation_alias=AliasChoices("COSMOS_MEMORY_DATABASE", "COSMOS_DATABASE", "database")
    )
    container: str = Field(
        default=DEFAULT_CONTAINER, validation_alias=AliasChoices("COSMOS_MEMORY_CONTAINER", "container")
    )

    def require_endpoint(self) -> str:
        """The endpoint.

        Raises:
            MemoryNotFoundError: Neither `COSMOS_MEMORY_ENDPOINT` nor `COSMOS_ENDPOINT` is set.
        """
        if not self.cosmos_endpoint:
            raise MemoryNotFoundError("no memory store configured: set COSMOS_MEMORY_ENDPOINT or COSMOS_ENDPOINT")
        return self.cosmos_endpoint
