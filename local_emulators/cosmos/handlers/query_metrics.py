"""The query-metrics and index-utilization headers the service adds to a query page when asked for them.

`x-ms-documentdb-populatequerymetrics: true` asks for `x-ms-documentdb-query-metrics`, a `name=value;...`
list; `x-ms-cosmos-populateindexmetrics: true` asks for `x-ms-cosmos-index-utilization`, base64 JSON.
The emulator has no indexes, so the figures describe its scan: every document in scope retrieved.
"""

from __future__ import annotations

import base64
import json

from local_emulators.cosmos.handlers.common import Context

_NO_INDEXES: dict[str, list[object]] = {
    "UtilizedSingleIndexes": [],
    "PotentialSingleIndexes": [],
    "UtilizedCompositeIndexes": [],
    "PotentialCompositeIndexes": [],
}


def metrics_headers(ctx: Context, rows: list[str], elapsed_ms: float) -> dict[str, str]:
    """The metrics headers requested by `ctx` for a page of `rows` that took `elapsed_ms`."""
    headers: dict[str, str] = {}
    if ctx.flag("x-ms-documentdb-populatequerymetrics"):
        size = sum(len(row) for row in rows)
        metrics = {
            "totalExecutionTimeInMs": f"{elapsed_ms:.2f}",
            "queryCompileTimeInMs": "0.00",
            "queryLogicalPlanBuildTimeInMs": "0.00",
            "queryPhysicalPlanBuildTimeInMs": "0.00",
            "queryOptimizationTimeInMs": "0.00",
            "VMExecutionTimeInMs": f"{elapsed_ms:.2f}",
            "indexLookupTimeInMs": "0.00",
            "documentLoadTimeInMs": "0.00",
            "systemFunctionExecuteTimeInMs": "0.00",
            "userFunctionExecuteTimeInMs": "0.00",
            "retrievedDocumentCount": str(len(rows)),
            "retrievedDocumentSize": str(size),
            "outputDocumentCount": str(len(rows)),
            "outputDocumentSize": str(size),
            "writeOutputTimeInMs": "0.00",
            "indexUtilizationRatio": "1.00",
        }
        headers["x-ms-documentdb-query-metrics"] = ";".join(f"{name}={value}" for name, value in metrics.items())
    if ctx.flag("x-ms-cosmos-populateindexmetrics"):
        headers["x-ms-cosmos-index-utilization"] = base64.b64encode(json.dumps(_NO_INDEXES).encode()).decode()
    return headers
