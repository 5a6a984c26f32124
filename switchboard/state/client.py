"""The process's Cosmos client and the runs container, from `HostingSettings`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import AzureError
from azure.cosmos import PartitionKey
from azure.cosmos.aio import ContainerProxy, CosmosClient
from azure.identity.aio import DefaultAzureCredential

from switchboard.hosting.settings import HostingSettings
from switchboard.state.errors import store_error
from switchboard.state.http_transport import cosmos_transport
from switchboard.state.items import PARTITION_KEY_PATH
from switchboard.state.request_counter import RequestCounter
from switchboard.state.retention import CONTAINER_DEFAULT_TTL

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def identity_credential(settings: HostingSettings) -> AsyncTokenCredential | None:
    """The credential for Cosmos without a key: `DefaultAzureCredential` (the Function App's managed identity).

    Returns:
        None when `COSMOS_KEY` is set; otherwise a credential the caller closes after the client.
    """
    return None if settings.cosmos_key is not None else DefaultAzureCredential()


def cosmos_client(
    settings: HostingSettings,
    *,
    counter: RequestCounter | None = None,
    credential: AsyncTokenCredential | None = None,
) -> CosmosClient:
    """Create the async client the settings describe.

    With `COSMOS_KEY` the account key is used (locally: the emulator's well-known key); without it `credential`
    (default: `identity_credential`). Certificate checks are turned off only for an https endpoint on loopback,
    i.e. the emulator's self-signed certificate. The transport skips aiohttp's per-request proxy and netrc lookups
    where the environment has neither (`switchboard.state.http_transport`).

    Args:
        settings: The hosting settings.
        counter: Counts every item request, when given.
        credential: The token credential to use when there is no key.

    Returns:
        The client; the caller closes it.

    Raises:
        HostingSettingsError: `COSMOS_ENDPOINT` is not set.
    """
    endpoint = settings.require_cosmos()
    options: dict[str, Any] = {"transport": cosmos_transport()}
    parsed = urlparse(endpoint)
    if parsed.scheme == "https" and parsed.hostname in _LOOPBACK:
        options["connection_verify"] = False
    if counter is not None:
        options["raw_request_hook"] = counter
    if settings.cosmos_key is not None:
        return CosmosClient(endpoint, credential=settings.cosmos_key.get_secret_value(), **options)
    return CosmosClient(endpoint, credential=credential or DefaultAzureCredential(), **options)


async def runs_container(client: CosmosClient, settings: HostingSettings, *, create_if_missing: bool) -> ContainerProxy:
    """The runs container (partition key `/run_id`), created with its database first when asked.

    In Azure, Bicep creates both and the identity has data-plane rights only, so hosts pass `create_if_missing=False`
    there; locally the emulator starts empty.

    Raises:
        StoreUnavailableError: Cosmos is unreachable.
        StoreRequestError: Cosmos refused (e.g. no rights to create).
    """
    try:
        if create_if_missing:
            database = await client.create_database_if_not_exists(settings.cosmos_database)
            return await database.create_container_if_not_exists(
                settings.cosmos_container,
                partition_key=PartitionKey(path=PARTITION_KEY_PATH),
                default_ttl=CONTAINER_DEFAULT_TTL,
            )
        return client.get_database_client(settings.cosmos_database).get_container_client(settings.cosmos_container)
    except AzureError as error:
        raise store_error(error, f"open container {settings.cosmos_container!r}") from error
