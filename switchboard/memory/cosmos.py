"""`CosmosVectorMemory`: memory that outlives a run, in a Cosmos DB container with vector and full-text search.

This is the memory component's Cosmos adapter (the only module of it that imports azure-cosmos). Each memory
is scoped by the partition key `/scope` (say `user:alice`, `team:research` or `tenant:contoso`), so a query reads
one partition and tenants never see each other's memories.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from azure.core.exceptions import AzureError, ServiceRequestError, ServiceResponseError
from azure.cosmos import PartitionKey
from azure.cosmos.aio import ContainerProxy, CosmosClient
from azure.cosmos.exceptions import CosmosHttpResponseError, CosmosResourceNotFoundError

from switchboard.agent import CancellationToken
from switchboard.memory.content import MemoryContent, MemoryQueryResult, UpdateContextResult
from switchboard.memory.embeddings import EmbeddingClient
from switchboard.memory.errors import MemoryInputError, MemoryNotFoundError, MemoryStoreError, MemoryUnavailableError
from switchboard.memory.protocol import ChatContext, update_with_query
from switchboard.memory.settings import MemorySettings
from switchboard.memory.vector_policy import (
    PARTITION_KEY_PATH,
    CosmosMemoryConfig,
    DistanceFunction,
    container_policies,
    filter_clause,
    passes,
    policy_dimensions,
    result_of,
    scope_key,
    search_query,
    search_terms,
)

__all__ = ["CosmosMemoryConfig", "CosmosVectorMemory", "scope_key"]

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
HYBRID_POOL_FACTOR = 5
HYBRID_MIN_POOL = 20
MAX_POOL = 200
"""A hybrid query ranks the best `k × 5` (at least 20, at most 200) by each method before fusing them."""


class CosmosVectorMemory:
    """A `Memory` in its own Cosmos container: `add` embeds and stores, `query` returns the top k.

    The container has a vector embedding policy on `/embedding`, a vector index, and a full-text index on
    `/text`. Memories are items `{"id", "scope", "type": "memory", "text", "content", "mime_type", "metadata",
    "embedding", "created_at"}`; results carry `metadata["score"]` (the `VectorDistance` value) and
    `metadata["id"]`, as AutoGen's vector memories do.

    Example:
        >>> memory = CosmosVectorMemory.from_settings(CosmosMemoryConfig(scope="team:research"))
        >>> await memory.add(MemoryContent(content="The Q3 report found …", mime_type="text/plain"))
        >>> found = await memory.query("what did the Q3 report find?")
    """

    def __init__(
        self,
        config: CosmosMemoryConfig,
        *,
        client: CosmosClient,
        embedder: EmbeddingClient,
        database: str = "switchboard",
        container: str = "memory",
        owns_client: bool = False,
    ) -> None:
        """Use `client` (closed by `close` only when `owns_client`) and embed through `embedder`."""
        self.config = config
        self.name = config.name
        self._client = client
        self._embedder = embedder
        self._database = database
        self._container_name = container
        self._owns_client = owns_client
        self._container: ContainerProxy | None = None
        self._dimensions: int | None = None
        self._distance: DistanceFunction = config.distance_function

    @classmethod
    def from_settings(
        cls,
        config: CosmosMemoryConfig,
        *,
        embedder: EmbeddingClient | None = None,
        settings: MemorySettings | None = None,
    ) -> CosmosVectorMemory:
        """A memory on the account the settings name (key locally, else Entra ID), embedding as configured.

        Raises:
            MemoryNotFoundError: No Cosmos endpoint is configured.
        """
        from switchboard.memory.embeddings import embedding_client

        settings = settings or MemorySettings()
        endpoint = settings.require_endpoint()
        options: dict[str, Any] = {}
        parsed = urlparse(endpoint)
        if parsed.scheme == "https" and parsed.hostname in _LOOPBACK:
            options["connection_verify"] = False  # the local emulator's self-signed certificate
        if settings.cosmos_key is not None:
            client = CosmosClient(endpoint, credential=settings.cosmos_key.get_secret_value(), **options)
        else:
            from azure.identity.aio import DefaultAzureCredential

            client = CosmosClient(endpoint, credential=DefaultAzureCredential(), **options)
        return cls(
            config,
            client=client,
            embedder=embedder or embedding_client(),
            database=settings.database,
            container=settings.container,
            owns_client=True,
        )

    async def update_context(self, model_context: ChatContext) -> UpdateContextResult:
        """Query with the context's last message; add the results as one system message."""
        return await update_with_query(self, model_context)

    async def add(self, content: MemoryContent, cancellation_token: CancellationToken | None = None) -> None:
        """Embed `content`'s text and store it in this memory's scope.

        With a string `metadata["id"]` the item gets that id and a second add with it replaces the first.

        Raises:
            MemoryInputError: The content has no text, or its vector does not fit the container.
            MemoryStoreError: Cosmos failed (`MemoryUnavailableError` when a retry may help).
        """
        text = content.as_text()
        if not text.strip():
            raise MemoryInputError("memory content is empty: nothing to embed")
        if cancellation_token is not None:
            cancellation_token.raise_if_cancelled()
        (vector,) = await self._embedder.embed([text])
        container = await self._open(len(vector))
        self._check_vector(vector)
        # A caller-chosen `metadata["id"]` makes the add idempotent (a retried add overwrites, never duplicates).
        chosen = (content.metadata or {}).get("id")
        item = {
            "id": str(chosen) if isinstance(chosen, str) and chosen else str(uuid.uuid4()),
            "scope": self.config.scope,
            "type": "memory",
            "text": text,
            "content": content.model_dump(mode="json")["content"],
            "mime_type": content.mime,
            "metadata": dict(content.metadata or {}),
            "embedding": vector,
            "created_at": datetime.now(UTC).isoformat(),
        }
        await self._call(container.upsert_item(item), "store a memory")

    async def query(
        self, query: str | MemoryContent, cancellation_token: CancellationToken | None = None, **kwargs: Any
    ) -> MemoryQueryResult:
        """The top `k` memories of this scope for `query`, most relevant first.

        Keyword arguments: `k`, `hybrid` and `hybrid_weights` (overrides), `filter` (metadata values, added to the
        configured filter), `vector` (a precomputed query vector, skipping the embedding call).

        Raises:
            MemoryInputError: The query is empty, a filter is malformed, or a vector has the wrong dimension.
            MemoryNotFoundError: The container does not exist and `create_if_missing` is off.
            MemoryStoreError: Cosmos failed (`MemoryUnavailableError` when a retry may help).
        """
        text = query.as_text() if isinstance(query, MemoryContent) else query
        if not isinstance(text, str) or not text.strip():
            raise MemoryInputError("memory query is empty")
        k = int(kwargs.get("k", self.config.k))
        if not 1 <= k <= 100:
            raise MemoryInputError(f"k must be 1 to 100, not {k}")
        hybrid = bool(kwargs.get("hybrid", self.config.hybrid))
        vector = kwargs.get("vector")
        if cancellation_token is not None:
            cancellation_token.raise_if_cancelled()
        if vector is None:
            (vector,) = await self._embedder.embed([text])
        container = await self._open(len(vector))
        self._check_vector(vector)
        # RRF fuses only the items each ranking returns: with TOP k alone, an item second by vector and first by
        # text may be missing from the vector list and lose. Fetch a wider pool, keep the best k.
        pool = min(max(k * HYBRID_POOL_FACTOR, HYBRID_MIN_POOL), MAX_POOL) if hybrid else k
        params: list[dict[str, Any]] = [{"name": "@k", "value": pool}, {"name": "@vector", "value": list(vector)}]
        where = " AND c.scope = @scope"
        params.append({"name": "@scope", "value": self.config.scope})
        where += filter_clause({**self.config.metadata_filter, **dict(kwargs.get("filter") or {})}, params)
        weights = kwargs.get("hybrid_weights", self.config.hybrid_weights)
        sql = search_query(hybrid=hybrid, terms=search_terms(text), where=where, params=params, weights=weights)
        rows = await self._call(self._rows(container, sql, params), "query memories")
        return MemoryQueryResult(
            results=[
                result_of(row) for row in rows if hybrid or passes(row, self.config.score_threshold, self._distance)
            ][:k]
        )

    async def clear(self) -> None:
        """Delete every memory of this scope (other scopes are untouched)."""
        container = await self._open(None)
        sql = "SELECT c.id FROM c WHERE c.scope = @scope AND c.type = 'memory'"
        params: list[dict[str, Any]] = [{"name": "@scope", "value": self.config.scope}]
        rows = await self._call(self._rows(container, sql, params), "list memories")
        for row in rows:
            try:
                await container.delete_item(row["id"], partition_key=self.config.scope)
            except CosmosResourceNotFoundError:
                continue  # deleted meanwhile: the goal is met
            except AzureError as error:
                raise _store_error(error, "delete a memory") from error

    async def close(self) -> None:
        """Close the Cosmos client if this memory created it."""
        if self._owns_client:
            await self._client.close()

    async def _rows(self, container: ContainerProxy, sql: str, params: list[dict[str, Any]]) -> list[dict[str, Any]]:
        pages = container.query_items(sql, parameters=params, partition_key=self.config.scope)
        return [row async for row in pages]

    async def _open(self, dimensions: int | None) -> ContainerProxy:
        if self._container is not None:
            return self._container
        database = self._client.get_database_client(self._database)
        container = database.get_container_client(self._container_name)
        properties: Mapping[str, Any]
        try:
            properties = await container.read()
        except CosmosResourceNotFoundError as error:
            if not self.config.create_if_missing or dimensions is None:
                raise MemoryNotFoundError(
                    f"memory container {self._database}/{self._container_name} does not exist"
                ) from error
            properties = await self._create(dimensions)
        except AzureError as error:
            raise _store_error(error, f"open memory container {self._container_name!r}") from error
        declared = policy_dimensions(properties)
        if declared is None:
            raise MemoryInputError(
                f"container {self._container_name!r} has no vector embedding policy on /embedding: "
                "it is not a memory container"
            )
        self._dimensions, self._distance = declared
        self._container = container
        return container

    async def _create(self, dimensions: int) -> Mapping[str, Any]:
        vector_policy, indexing, full_text = container_policies(
            dimensions, self.config.distance_function, self.config.vector_index
        )
        try:
            database = await self._client.create_database_if_not_exists(self._database)
            created = await database.create_container_if_not_exists(
                self._container_name,
                partition_key=PartitionKey(path=PARTITION_KEY_PATH),
                vector_embedding_policy=vector_policy,
                indexing_policy=indexing,
                full_text_policy=full_text,
            )
            return await created.read()
        except AzureError as error:
            raise _store_error(error, f"create memory container {self._container_name!r}") from error

    def _check_vector(self, vector: Any) -> None:
        if not isinstance(vector, list | tuple) or not all(isinstance(x, int | float) for x in vector):
            raise MemoryInputError("a memory vector must be a list of numbers")
        if len(vector) != self._dimensions:
            raise MemoryInputError(
                f"vector has {len(vector)} dimensions but container {self._container_name!r} holds "
                f"{self._dimensions}-dimension embeddings (embedding model {self._embedder.model_name!r})"
            )

    async def _call(self, awaitable: Any, what: str) -> Any:
        try:
            return await awaitable
        except CosmosResourceNotFoundError as error:
            raise MemoryNotFoundError(f"cannot {what}: container {self._container_name!r} not found") from error
        except AzureError as error:
            raise _store_error(error, what) from error


def _store_error(error: AzureError, what: str) -> MemoryStoreError:
    if isinstance(error, ServiceRequestError | ServiceResponseError):
        return MemoryUnavailableError(f"cannot {what}: Cosmos is unreachable ({type(error).__name__})")
    status = getattr(error, "status_code", None)
    if isinstance(error, CosmosHttpResponseError) and (status in (408, 429, 449, 503) or (status or 0) >= 500):
        return MemoryUnavailableError(f"cannot {what}: Cosmos answered {status}")
    return MemoryStoreError(f"cannot {what}: Cosmos answered {status}: {str(error.message)[:200]}")
