"""Runs one script (stored procedure or trigger) against one logical partition, staging its writes.

Writes go to a `ContainerWrite` the caller commits only when every script of the request succeeded, so a
throw anywhere rolls back everything: Azure's all-or-nothing transaction within a partition.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from local_emulators.cosmos.backend import documents
from local_emulators.cosmos.backend.documents import ContainerWrite
from local_emulators.cosmos.backend.models import ItemRecord
from local_emulators.cosmos.backend.partition_keys import PartitionKeyValue
from local_emulators.cosmos.backend.queries import QueryEngine
from local_emulators.cosmos.errors import BadRequestError, CosmosEmulatorError, NotFoundError
from local_emulators.cosmos.scripting.prelude import PRELUDE
from local_emulators.cosmos.scripting.sandbox import Sandbox, literal

# Azure bounds a script by time; past this share of the budget the collection answers "not accepted" so a
# well-behaved script can return a continuation instead of being killed.
ACCEPT_UNTIL_REMAINING = 0.4
# The emulator also stops accepting after this many operations, which makes the pattern deterministic.
MAX_ACCEPTED_OPERATIONS = 500
DEFAULT_BUDGET_SECONDS = 5.0


@dataclass
class Partition:
    """The logical partition a script may touch and the staged writes it made."""

    write: ContainerWrite
    pk: str
    components: tuple[PartitionKeyValue, ...]
    queries: QueryEngine
    operations: int = field(default=0)


def _document_id(partition: Partition, link: Any) -> str:
    """The id a document link names: `dbs/d/colls/c/docs/<id>` or an item's `_self` (by rid)."""
    if not isinstance(link, str) or not link.strip("/"):
        raise BadRequestError("A document link must be a non-empty string.")
    last = link.strip("/").rsplit("/", 1)[-1]
    if partition.write.get(partition.pk, last) is not None:
        return last
    for record in partition.write.partition(partition.pk):
        if record.body.get("_rid") == last:
            return record.id
    return last


def _options_etag(options: dict[str, Any]) -> str | None:
    access = options.get("accessCondition")
    if isinstance(access, dict) and access.get("type") == "IfMatch":
        return str(access.get("condition"))
    return None


def _body(record: ItemRecord) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(record.text)
    return result


def apply_operation(partition: Partition, op: dict[str, Any]) -> Any:
    """Perform one queued collection call on the staged partition; returns the resource the callback gets."""
    kind, options = op.get("kind"), op.get("options") or {}
    write, pk = partition.write, partition.pk
    if kind in ("create", "upsert", "replace"):
        doc = op.get("doc")
        if not isinstance(doc, dict):
            raise BadRequestError("The document must be a JSON object.")
        key, components = write.key_for(partition.components, doc)
        if kind == "create":
            if doc.get("id") is None and options.get("disableAutomaticIdGeneration") is not True:
                doc = {**doc, "id": str(uuid.uuid4())}
            return _body(documents.create(write, key, components, doc))
        if kind == "upsert":
            return _body(documents.upsert(write, key, components, doc, _options_etag(options))[0])
        item_id = _document_id(partition, op.get("link"))
        return _body(documents.replace(write, key, components, item_id, doc, _options_etag(options)))
    if kind == "read":
        return _body(documents.read(write, pk, _document_id(partition, op.get("link"))))
    if kind == "delete":
        documents.delete(write, pk, _document_id(partition, op.get("link")), _options_etag(options))
        return None
    if kind == "query":
        spec = op.get("query") or {}
        text = spec.get("query") if isinstance(spec, dict) else None
        if not isinstance(text, str):
            raise BadRequestError("queryDocuments needs a query string or {query, parameters}.")
        parameters = {str(p.get("name")): p.get("value") for p in spec.get("parameters") or [] if isinstance(p, dict)}
        bodies = [record.body for record in write.partition(pk)]
        return partition.queries.run_all(text, bodies, parameters)
    raise BadRequestError(f"Unknown collection operation '{kind}'.")


def _result(partition: Partition, op: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"id": op.get("id"), "resource": apply_operation(partition, op)}
    except CosmosEmulatorError as exc:
        return {"id": op.get("id"), "error": {"status": exc.status, "message": exc.message}}


@dataclass
class ScriptOutcome:
    """What a script left behind: its response body and (for pre-triggers) the request body it set."""

    response: Any
    request: Any


def run_script(
    partition: Partition,
    source: str,
    arguments: Sequence[Any],
    *,
    self_link: str,
    request: Any = None,
    response: Any = None,
    budget_seconds: float = DEFAULT_BUDGET_SECONDS,
) -> ScriptOutcome:
    """Run `source` (a JavaScript function) with `arguments` until it has no pending collection calls.

    Raises:
        ScriptError: The script threw (the caller must then discard the partition's staged writes).
        ScriptTimeoutError: It ran past the budget.
    """
    sandbox = Sandbox(budget_seconds)
    sandbox.eval(PRELUDE)
    sandbox.eval(
        f"__sb.self = {literal(self_link)}; __sb.request = {literal(request)}; __sb.body = {literal(response)};"
    )
    sandbox.eval(f"var __sb_fn = ({source}\n);")
    sandbox.eval(
        "if (typeof __sb_fn !== 'function') { throw new Error('The script body must be a function.'); }"
        f" __sb_fn.apply(null, {literal(list(arguments))});"
    )
    while True:
        pending = json.loads(sandbox.eval("__sb_drain()"))
        if not pending:
            break
        results = [_result(partition, op) for op in pending]
        partition.operations += len(pending)
        if (
            partition.operations >= MAX_ACCEPTED_OPERATIONS
            or sandbox.remaining() < budget_seconds * ACCEPT_UNTIL_REMAINING
        ):
            sandbox.eval("__sb.accepting = false;")
        sandbox.eval(f"__sb_deliver({literal(results)});")
    return ScriptOutcome(response=sandbox.eval_json("__sb.body"), request=sandbox.eval_json("__sb.request"))


def missing(what: str, name: str) -> NotFoundError:
    """Azure's 404 for a script resource that does not exist."""
    return NotFoundError(f"{what} '{name}' does not exist.")
