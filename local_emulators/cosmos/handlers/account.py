"""`GET /`: the database account document the SDK reads at start-up."""

from __future__ import annotations

import json

from local_emulators.cosmos.handlers.common import Context, resource_response
from local_emulators.cosmos.wire import Response

_QUERY_ENGINE_CONFIGURATION = json.dumps(
    {
        "maxSqlQueryInputLength": 262144,
        "maxJoinsPerSqlQuery": 5,
        "maxLogicalAndPerSqlQuery": 500,
        "maxLogicalOrPerSqlQuery": 500,
        "maxUdfRefPerSqlQuery": 10,
        "maxInExpressionItemsCount": 16000,
        "queryMaxInMemorySortDocumentCount": 500,
        "maxQueryRequestTimeoutFraction": 0.9,
        "sqlAllowNonFiniteNumbers": False,
        "sqlAllowAggregateFunctions": True,
        "sqlAllowSubQuery": True,
        "sqlAllowScalarSubQuery": True,
        "allowNewKeywords": True,
        "sqlAllowLike": True,
        "sqlAllowGroupByClause": True,
        "maxSpatialQueryCells": 12,
        "spatialMaxGeometryPointCount": 256,
        "sqlDisableOptimizationFlags": 0,
        "sqlAllowTop": True,
        "enableSpatialIndexing": True,
    }
)


def get_account(ctx: Context) -> Response:
    """Describe the account; the advertised endpoint is the one the client used, so it keeps working.

    As Microsoft's emulator does, a client that came in as `localhost` is told the account's endpoint is
    `127.0.0.1` (same scheme and port): the SDKs' multi-region tests tell the two names apart as regions.
    """
    host = ctx.header("host") or "127.0.0.1:8081"
    name, colon, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if (name if colon else host).lower() == "localhost":
        host = f"127.0.0.1{colon}{port}"
    endpoint = f"{ctx.request.scheme}://{host}/"
    location = [{"name": "South Central US", "databaseAccountEndpoint": endpoint}]
    body = {
        "id": "localhost",
        "_rid": "localhost",
        "_self": "",
        "_dbs": "//dbs/",
        "media": "//media/",
        "addresses": "//addresses/",
        "writableLocations": location,
        "readableLocations": location,
        "enableMultipleWriteLocations": False,
        "userConsistencyPolicy": {"defaultConsistencyLevel": "Session"},
        "userReplicationPolicy": {"asyncReplication": False, "minReplicaSetSize": 1, "maxReplicasetSize": 4},
        "systemReplicationPolicy": {"minReplicaSetSize": 1, "maxReplicasetSize": 4},
        "readPolicy": {"primaryReadCoefficient": 1, "secondaryReadCoefficient": 1},
        "queryEngineConfiguration": _QUERY_ENGINE_CONFIGURATION,
    }
    return resource_response(200, body)
