"""The query-metrics and index-utilization headers the service adds to a query page when asked for them.

`x-ms-documentdb-populatequerymetrics: true` asks for `x-ms-documentdb-query-metrics`, a `name=value;...`
list; `x-ms-cosmos-populateindexmetrics: true` asks for `x-ms-cosmos-index-utilization`, base64 JSON.

Both follow the indexes the query uses on the container's indexing policy (`query.index_usage`):
`retrievedDocumentCount` counts the documents the evaluation loads on this request, those that pass the
index-served part of the filter (none for a count the index answers alone, and none on a page served
from an evaluation an earlier request ran).
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable
from typing import Any

from local_emulators.cosmos.backend.models import Container, ItemRecord
from local_emulators.cosmos.handlers.common import Context
from local_emulators.cosmos.query import QueryError, ast, formatter
from local_emulators.cosmos.query.index_usage import IndexUsage, index_usage
from local_emulators.cosmos.query.parser import parse

Scan = Callable[[], list[ItemRecord]]


@functools.lru_cache(maxsize=256)
def _tree(text: str) -> ast.Query:
    return parse(text)


def _usage(container: Container, text: str, key_scoped: bool) -> IndexUsage:
    definition = container.body.get("partitionKey") or {}
    key_paths = [str(path) for path in definition.get("paths") or []] if key_scoped else []
    try:
        tree = _tree(text)
    except QueryError:  # a query only the engine's own grammar takes: no index judged, every document read
        return IndexUsage(filter_fully_indexed=False)
    return index_usage(tree, container.body.get("indexingPolicy") or {}, key_paths)


def _retrieved(ctx: Context, usage: IndexUsage, text: str, parameters: dict[str, Any], scan: Scan) -> tuple[int, int]:
    """How many documents (and bytes) the evaluation loads: those passing the index-served conjuncts."""
    if usage.filter_fully_indexed and not usage.reads_documents:
        return 0, 0
    records = scan()
    if usage.served_conjuncts:
        tree = _tree(text)
        condition = usage.served_conjuncts[0]
        for conjunct in usage.served_conjuncts[1:]:
            condition = ast.Binary("AND", condition, conjunct)
        alias = tree.source.alias if tree.source is not None else "c"
        probe = ctx.state.queries.compile(f"SELECT VALUE 1 FROM {alias} WHERE {formatter.expression(condition)}")
        records = [record for record in records if probe.run([record.body], parameters)]
    return len(records), sum(len(record.text) for record in records)


def metrics_headers(
    ctx: Context,
    container: Container,
    text: str,
    parameters: dict[str, Any],
    rows: list[str],
    elapsed_ms: float,
    scan: Scan | None,
    *,
    key_scoped: bool = False,
) -> dict[str, str]:
    """The metrics headers requested by `ctx` for a page of `rows` that took `elapsed_ms`.

    Args:
        ctx: The request (its flags say which headers are wanted).
        container: The container queried.
        text: The query text.
        parameters: The query's parameter values by name.
        rows: The page's rows, serialised.
        elapsed_ms: How long the request took so far.
        scan: The records the evaluation ran over, when it ran on this request (None: a later page).
        key_scoped: Whether the request named a partition key (the key's index serves the scope).
    """
    headers: dict[str, str] = {}
    wants_metrics = ctx.flag("x-ms-documentdb-populatequerymetrics")
    wants_indexes = ctx.flag("x-ms-cosmos-populateindexmetrics")
    if not (wants_metrics or wants_indexes):
        return headers
    usage = _usage(container, text, key_scoped)
    if wants_metrics:
        retrieved, retrieved_size = _retrieved(ctx, usage, text, parameters, scan) if scan is not None else (0, 0)
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
            "retrievedDocumentCount": str(retrieved),
            "retrievedDocumentSize": str(retrieved_size),
            "outputDocumentCount": str(len(rows)),
            "outputDocumentSize": str(size),
            "writeOutputTimeInMs": "0.00",
            "indexUtilizationRatio": f"{(len(rows) / retrieved if retrieved else 1):.2f}",
        }
        headers["x-ms-documentdb-query-metrics"] = ";".join(f"{name}={value}" for name, value in metrics.items())
    if wants_indexes:
        document = json.dumps(usage.document(), separators=(",", ":"))
        headers["x-ms-cosmos-index-utilization"] = base64.b64encode(document.encode()).decode()
    return headers
