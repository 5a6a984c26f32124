"""Transactional batch: up to 100 operations in one logical partition, all or nothing.

Success is HTTP 200 with one result per operation. On failure nothing is written and the answer is
HTTP 207: the failing operation keeps its status, every other one gets 424 (failed dependency).
"""

from __future__ import annotations

import json
from typing import Any

from local_emulators.cosmos.backend import documents, partition_keys
from local_emulators.cosmos.backend.documents import ContainerWrite
from local_emulators.cosmos.backend.models import Container, ItemRecord
from local_emulators.cosmos.backend.partition_keys import PartitionKeyValue
from local_emulators.cosmos.errors import BadRequestError, CosmosEmulatorError
from local_emulators.cosmos.handlers.common import REQUEST_CHARGE, Context, container_headers, partition_headers
from local_emulators.cosmos.wire import Response, json_response

MAX_OPERATIONS = 100


def _result(status: int, record: ItemRecord | None, with_body: bool) -> dict[str, Any]:
    result: dict[str, Any] = {"statusCode": status, "requestCharge": float(REQUEST_CHARGE)}
    if record is not None:
        result["eTag"] = record.etag
        if with_body:
            result["resourceBody"] = record.body
    return result


def _run_operation(
    ctx: Context, write: ContainerWrite, pk: str, components: tuple[PartitionKeyValue, ...], op: dict[str, Any]
) -> dict[str, Any]:
    kind = str(op.get("operationType", ""))
    if_match = op.get("ifMatch")
    body = op.get("resourceBody")
    if kind in {"Create", "Upsert", "Replace"}:
        if not isinstance(body, dict):
            raise BadRequestError(f"Batch operation {kind} needs a resourceBody object.")
        write.key_for(components, body)
        if kind == "Create":
            return _result(201, documents.create(write, pk, components, body), True)
        if kind == "Upsert":
            record, created = documents.upsert(write, pk, components, body, if_match)
            return _result(201 if created else 200, record, True)
        return _result(200, documents.replace(write, pk, components, str(op.get("id")), body, if_match), True)
    item_id = str(op.get("id", ""))
    if kind == "Read":
        record = documents.read(write, pk, item_id)
        write.check_etag(record, if_match)
        return _result(200, record, True)
    if kind == "Delete":
        documents.delete(write, pk, item_id, if_match)
        return _result(204, None, False)
    if kind == "Patch":
        # The JavaScript SDK may send the operations as a bare array instead of {"operations": [...]}.
        spec = {"operations": body} if isinstance(body, list) else body if isinstance(body, dict) else {}
        record = documents.patch(write, pk, components, item_id, spec, if_match, ctx.state.queries.condition_holds)
        return _result(200, record, True)
    raise BadRequestError(f"Unknown batch operationType '{kind}'.")


def _operation_key(write: ContainerWrite, op: Any) -> tuple[str, tuple[PartitionKeyValue, ...]]:
    """A bulk operation's own partition key: `partitionKey` as JSON text (`'["a"]'`) or a list."""
    raw = op.get("partitionKey") if isinstance(op, dict) else None
    if raw is None:
        body = op.get("resourceBody") if isinstance(op, dict) else None
        return write.key_for(None, body if isinstance(body, dict) else None)
    text = raw if isinstance(raw, str) else json.dumps(raw)
    return write.key_for(partition_keys.parse_header(text), None)


def execute_bulk(ctx: Context, container: Container, operations: list[Any]) -> Response:
    """Run a non-atomic batch (bulk): each operation on its own, in its own partition, with its own status.

    Every success is committed at once. With `x-ms-cosmos-batch-continue-on-error: false` the operations
    after the first failure are not run (424). HTTP 200 when all succeed, 207 otherwise.
    """
    continue_on_error = (ctx.header("x-ms-cosmos-batch-continue-on-error") or "true").lower() != "false"
    results: list[dict[str, Any]] = []
    failed = False
    for op in operations:
        if failed and not continue_on_error:
            results.append({"statusCode": 424, "requestCharge": 0.0})
            continue
        write = ContainerWrite(container)
        try:
            if not isinstance(op, dict):
                raise BadRequestError("Each batch operation must be a JSON object.")
            pk, components = _operation_key(write, op)
            result = _run_operation(ctx, write, pk, components, op)
            ctx.state.documents.commit(write)
            results.append(result)
        except CosmosEmulatorError as exc:
            failed = True
            results.append({"statusCode": exc.status, "subStatusCode": exc.substatus, "requestCharge": 1.0})
    return json_response(207 if failed else 200, results, container_headers(container))


def execute_batch(ctx: Context) -> Response:
    """Run a transactional batch: 200 with every result, or 207 and nothing written (or a bulk batch)."""
    container = ctx.container()
    operations = ctx.body()
    if not isinstance(operations, list) or not operations:
        raise BadRequestError("Batch request has no operations.")
    if len(operations) > MAX_OPERATIONS:
        raise BadRequestError("Batch request has more operations than what is supported.")
    if (ctx.header("x-ms-cosmos-batch-atomic") or "true").lower() == "false":
        return execute_bulk(ctx, container, operations)
    write = ContainerWrite(container, one_lsn=True)
    header = ctx.partition_key()
    if header is not None and container.multi_hash and len(header) != len(container.key_paths):
        # A batch runs in one logical partition: a prefix of a hierarchical key names many of them.
        raise BadRequestError(
            "Partition key provided either doesn't correspond to definition in the collection or doesn't match"
            " partition key field values specified in the document."
        )
    pk, components = write.key_for(header, None)
    results: list[dict[str, Any]] = []
    for index, op in enumerate(operations):
        try:
            if not isinstance(op, dict):
                raise BadRequestError("Each batch operation must be a JSON object.")
            results.append(_run_operation(ctx, write, pk, components, op))
        except CosmosEmulatorError as exc:
            failed = [{"statusCode": 424, "requestCharge": 0.0} for _ in operations]
            failed[index] = {"statusCode": exc.status, "subStatusCode": exc.substatus, "requestCharge": 1.0}
            return json_response(207, failed, partition_headers(ctx, container))
    ctx.state.documents.commit(write)
    return json_response(200, results, partition_headers(ctx, container))
