"""Queries across physical partitions, answered the way Azure's gateway answers them.

- A query scoped to one partition (partition key header, or the range header the SDK sends for each
  partition it queries itself) runs whole on the server, like the backend runs any single-partition query.
- A query with neither, and without the cross-partition header, whose filter pins the full partition key
  (to keys of one range) is routed by the gateway to that one partition and runs there. With the header,
  the gateway plans it like any cross-partition query (the SDK's own `test_aggregate` expects a pinned
  non-VALUE aggregate sent with the header to fail).
- Any other query with neither goes to the gateway, which needs `x-ms-documentdb-query-enablecrosspartition: true`
  (else 400, as the SDK's own tests expect of Microsoft's emulator). A plain one (filter and projection)
  is fanned out across the ranges in EPK order with the gateway's JSON continuation. One that needs
  merging (ORDER BY, `SELECT VALUE` aggregate, DISTINCT, TOP, OFFSET/LIMIT, GROUP BY) is refused with
  400/1004 and the query plan, so the SDK fetches the plan and runs its own pipeline. An aggregate without
  VALUE is refused outright: "Cross partition query only supports 'VALUE <AggregateFunc>' for aggregates"
  (recorded on Azure).
- The plan request (`x-ms-cosmos-is-query-plan-request`) gets Azure's plan, or 400 when the query needs
  a feature the client does not list in `x-ms-cosmos-supported-query-features`.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Any

from local_emulators.cosmos.backend.continuation import CompositeToken, PartitionToken
from local_emulators.cosmos.backend.models import Container, ItemRecord
from local_emulators.cosmos.backend.partitioning import MAX_EPK, KeyRange
from local_emulators.cosmos.backend.query_ranges import query_ranges
from local_emulators.cosmos.errors import BadRequestError, CrossPartitionQueryNotServableError
from local_emulators.cosmos.handlers.common import Context, container_headers, resource_response
from local_emulators.cosmos.query import QueryError, ast, vector_policy
from local_emulators.cosmos.query.parser import parse
from local_emulators.cosmos.query.plan import QueryPlan, plan
from local_emulators.cosmos.wire import Response

NOT_SERVABLE = (
    "The provided cross partition query can not be directly served by the gateway. This is a first chance "
    "(internal) exception that all newer clients will know how to handle gracefully. This exception is traced, "
    "but unless you see it bubble up as an exception (which only happens on older SDK clients), then you can "
    "safely ignore this message."
)
CROSS_PARTITION_DISABLED = (
    "Cross partition query is required but disabled. Please set x-ms-documentdb-query-enablecrosspartition to true, "
    "specify x-ms-documentdb-partitionkey, or revise your query to avoid this exception."
)
VALUE_AGGREGATES_ONLY = "Cross partition query only supports 'VALUE <AggregateFunc>' for aggregates"
_UNSUPPORTED_FEATURES = (
    "Query contains 1 or more unsupported features. Upgrade your SDK to a version that does support the "
    "requested features:"
)
_PLAN_CACHE_SIZE = 256
_plans: OrderedDict[str, tuple[ast.Query, QueryPlan]] = OrderedDict()


def query_plan_for(
    ctx: Context, container: Container, text: str, parameters: dict[str, Any]
) -> tuple[ast.Query, QueryPlan]:
    """The syntax tree and plan of a valid query (400 for an invalid one); cached by text and parameters.

    The container's vector embedding policy is written into the query's vector calls first, so the plan's
    sort directions follow the container's distance functions.
    """
    policy = container.body.get("vectorEmbeddingPolicy")
    ctx.state.queries.compile(text, policy)  # the engine's checks and its 400s come first
    key = json.dumps([text, parameters, policy], sort_keys=True, default=str)
    found = _plans.get(key)
    if found is None:
        try:
            tree = vector_policy.apply(parse(text), policy)
            found = (tree, plan(tree, parameters))
        except QueryError as exc:
            raise BadRequestError(f"Query '{text}' cannot be run: {exc.message}") from exc
        _plans[key] = found
        if len(_plans) > _PLAN_CACHE_SIZE:
            _plans.popitem(last=False)
    return found


def _plan_document(ctx: Context, container: Container, text: str, parameters: dict[str, Any]) -> dict[str, Any]:
    tree, found = query_plan_for(ctx, container, text, parameters)
    return found.document(query_ranges(tree, container, parameters))


def serve_query_plan(ctx: Context, container: Container, text: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """Answer a plan request: the plan document, or 400 naming the features the client lacks."""
    _, found = query_plan_for(ctx, container, text, parameters)
    declared = ctx.header("x-ms-cosmos-supported-query-features") or ""
    supported = {feature.strip() for feature in declared.split(",") if feature.strip()}
    missing = [feature for feature in found.features if feature not in supported]
    if missing:
        lines = [f"Query contained {feature}, which the calling client does not support." for feature in missing]
        raise BadRequestError("\n".join([_UNSUPPORTED_FEATURES, *lines]))
    return _plan_document(ctx, container, text, parameters)


def enabled(ctx: Context) -> bool:
    """Whether the request allows a cross-partition query (`x-ms-documentdb-query-enablecrosspartition`)."""
    return ctx.flag("x-ms-documentdb-query-enablecrosspartition")


def single_target(ctx: Context, container: Container, text: str, parameters: dict[str, Any]) -> KeyRange | None:
    """The one physical partition a query's filter pins it to, or None.

    The gateway routes a query sent without a partition key or the cross-partition header by its
    filter: one that pins the full partition key (`c.pk = @pk`, `IN` of keys in one range, every path of a
    hierarchical key) runs in that partition. A filter that pins nothing needs the header even on a
    container of one range (the SDK's own `test_with_null_pk` expects that refusal).
    """
    tree, _ = query_plan_for(ctx, container, text, parameters)
    layout, found = ctx.state.layout, dict[str, KeyRange]()
    for bounds in query_ranges(tree, container, parameters):
        low, high = str(bounds["min"]), str(bounds["max"])
        if low != high:
            return None  # not a point: the filter does not pin the key
        key_range = layout.range_of(container, low)
        found[key_range.id] = key_range
    return next(iter(found.values())) if len(found) == 1 else None


def refuse_unless_streamable(ctx: Context, container: Container, text: str, parameters: dict[str, Any]) -> None:
    """Raise what the gateway raises for a cross-partition query it will not fan out itself."""
    if not enabled(ctx):
        # The sync SDK sends the header only when asked (`enable_cross_partition_query=True`); aio always does.
        raise BadRequestError(CROSS_PARTITION_DISABLED)
    _, found = query_plan_for(ctx, container, text, parameters)
    if not found.value_aggregate_only:
        raise BadRequestError(VALUE_AGGREGATES_ONLY)
    if found.needs_pipeline:
        document = _plan_document(ctx, container, text, parameters)
        raise CrossPartitionQueryNotServableError(NOT_SERVABLE, json.dumps(document, separators=(",", ":")))


def scoped_page(
    ctx: Context,
    container: Container,
    records: Callable[[], list[ItemRecord]],
    text: str,
    parameters: dict[str, Any],
    scope: str,
    continuation: str | None,
    max_items: int | None,
) -> tuple[list[str], PartitionToken | None]:
    """One page of a query within one scope, resumed from and returning a partition token."""
    previous = PartitionToken.decode(continuation) if continuation else None
    if previous is not None and not previous.inner:
        previous = None  # Azure's own token: no position in this emulator, so the query starts over
    page = ctx.state.queries.page(
        container, records, text, parameters, scope, max_items, previous.inner if previous else None
    )
    if page.continuation is None:
        return page.rows, None
    done = (previous.offset if previous else 0) + len(page.rows)
    rid = container.rid
    if page.rows:
        try:
            last = json.loads(page.rows[-1])
            rid = str(last.get("_rid", rid)) if isinstance(last, dict) else rid
        except ValueError:
            pass
    rounds = (previous.round_trips if previous else 0) + 1
    return page.rows, PartitionToken(rid=rid, round_trips=rounds, offset=done, inner=page.continuation)


def _segments(ctx: Context, container: Container, start: str) -> list[tuple[str, str]]:
    """The EPK ranges from `start` to the end, cut at the container's partition boundaries."""
    ranges = ctx.state.layout.overlapping(container, start, MAX_EPK)
    return [(max(key_range.min_inclusive, start), key_range.max_exclusive) for key_range in ranges]


def fan_out(
    ctx: Context, container: Container, text: str, parameters: dict[str, Any]
) -> tuple[list[str], dict[str, str], Callable[[], list[ItemRecord]] | None]:
    """One page of a streamable query across every partition, one partition per round trip, in EPK order.

    Like the gateway, a page never mixes partitions: a drained partition's page (even an empty one) carries
    the continuation to the next, so a client makes at least one round trip per partition. The third value
    is the scan the page evaluated (None when it resumed an evaluation an earlier request ran).
    """
    raw = ctx.header("x-ms-continuation")
    position = CompositeToken.decode(raw) if raw else None
    if position is None:
        (low, high), token = _segments(ctx, container, "")[0], None
    else:
        (low, high), token = (position.min, position.max), position.token
    scan = partial(ctx.state.records_in_scope, container, None, (low, high))
    rows, resume = scoped_page(
        ctx,
        container,
        scan,
        text,
        parameters,
        f"epk:{low}:{high}",
        token,
        ctx.max_item_count(),
    )
    following = _segments(ctx, container, high) if high != MAX_EPK else []
    headers = container_headers(container, range_id=ctx.state.layout.range_of(container, low).id)
    if resume is not None:
        headers["x-ms-continuation"] = CompositeToken(resume.encode(), low, high).encode()
    elif following:
        headers["x-ms-continuation"] = CompositeToken(None, *following[0]).encode()
    return rows, headers, (scan if token is None else None)


def plan_response(ctx: Context, container: Container, text: str, parameters: dict[str, Any]) -> Response:
    """The HTTP answer to a plan request."""
    return resource_response(200, serve_query_plan(ctx, container, text, parameters))
