"""The Cosmos adapter: the one module that imports `azure.cosmos`; a run's items live in its partition."""

from switchboard.state.client import cosmos_client, runs_container
from switchboard.state.errors import StoreRequestError, StoreUnavailableError
from switchboard.state.request_counter import RequestCounter, RequestCounts
from switchboard.state.run_documents import CosmosRunDocuments
from switchboard.state.run_partition import CosmosRunPartition
from switchboard.state.run_store import CosmosRunStore
from switchboard.state.stale_runs import CosmosStaleRuns

__all__ = [
    "CosmosRunDocuments",
    "CosmosRunPartition",
    "CosmosRunStore",
    "CosmosStaleRuns",
    "RequestCounter",
    "RequestCounts",
    "StoreRequestError",
    "StoreUnavailableError",
    "cosmos_client",
    "runs_container",
]
