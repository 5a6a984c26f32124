"""Point operations on items: create, upsert, read, replace, delete, patch, read feed, delete by key."""

from __future__ import annotations

import base64
import time

from local_emulators.cosmos.backend import documents
from local_emulators.cosmos.backend.documents import ContainerWrite
from local_emulators.cosmos.backend.models import Container, ItemRecord
from local_emulators.cosmos.backend.queries import decode_token, encode_token, token_int
from local_emulators.cosmos.errors import BadRequestError, NotFoundError
from local_emulators.cosmos.handlers import cross_partition
from local_emulators.cosmos.handlers.common import (
    Context,
    container_headers,
    empty,
    partition_headers,
    serialised_feed_response,
)
from local_emulators.cosmos.wire import Response


def _document(status: int, record: ItemRecord, headers: dict[str, str]) -> Response:
    return Response(status=status, body=record.text.encode(), headers={"content-type": "application/json", **headers})


def _item_response(ctx: Context, status: int, container: Container, record: ItemRecord) -> Response:
    headers = partition_headers(ctx, container, record.etag, epk=record.epk)
    if (ctx.header("prefer") or "").lower() == "return=minimal":
        return empty(status, headers)
    return _document(status, record, headers)


def create_or_upsert(ctx: Context) -> Response:
    """Create an item (201), or upsert it (201 new, 200 replaced)."""
    container = ctx.container()
    body = ctx.body_object()
    write = ContainerWrite(container)
    pk, components = write.key_for(ctx.partition_key(), body)
    if ctx.flag("x-ms-documentdb-is-upsert"):
        record, created = documents.upsert(write, pk, components, body, ctx.header("if-match"))
        status = 201 if created else 200
    else:
        record, status = documents.create(write, pk, components, body), 201
    ctx.state.documents.commit(write)
    return _item_response(ctx, status, container, record)


def _rid_addressed(ctx: Context, container: Container) -> ItemRecord | None:
    """The item a rid-based link (`dbs/<rid>/colls/<rid>/docs/<rid>`, an item's `_self`) names, if it is one."""
    segment = ctx.segments[5]
    try:
        raw = base64.b64decode(segment.replace("-", "/"), validate=True)
        owner = base64.b64decode(container.rid.replace("-", "/"))
    except ValueError:
        return None
    if len(raw) != len(owner) + 8 or not raw.startswith(owner):
        return None
    for record in container.all_records():
        if record.body.get("_rid") == segment and container.is_live(record, time.time()):
            return record
    raise NotFoundError("Entity with the specified id does not exist in the system.")


def _key(ctx: Context, write: ContainerWrite) -> tuple[str, str]:
    """The partition key string and the item id a point operation addresses (by name or by `_self`)."""
    by_rid = _rid_addressed(ctx, write.container)
    if by_rid is not None:
        return by_rid.pk, by_rid.id
    pk, _ = write.key_for(ctx.partition_key(), None)
    return pk, ctx.segments[5]


def read(ctx: Context) -> Response:
    """Read an item; 304 when If-None-Match names its current etag."""
    container = ctx.container()
    write = ContainerWrite(container)
    pk, item_id = _key(ctx, write)
    record = documents.read(write, pk, item_id)
    if_none_match = ctx.header("if-none-match")
    if if_none_match and if_none_match in (record.etag, "*"):
        return empty(304, partition_headers(ctx, container, record.etag, epk=record.epk))
    return _document(200, record, partition_headers(ctx, container, record.etag, epk=record.epk))


def replace(ctx: Context) -> Response:
    """Replace an item, honouring If-Match."""
    container = ctx.container()
    body = ctx.body_object()
    write = ContainerWrite(container)
    by_rid = _rid_addressed(ctx, container)
    header = ctx.partition_key()
    pk, components = write.key_for(header if by_rid is None or header is not None else None, body)
    item_id = ctx.segments[5] if by_rid is None else by_rid.id
    record = documents.replace(write, pk, components, item_id, body, ctx.header("if-match"))
    ctx.state.documents.commit(write)
    return _item_response(ctx, 200, container, record)


def patch(ctx: Context) -> Response:
    """Patch an item, honouring If-Match and the patch condition."""
    container = ctx.container()
    body = ctx.body()
    # The JavaScript SDK may send the operations as a bare array instead of {"operations": [...]}.
    spec = {"operations": body} if isinstance(body, list) else ctx.body_object()
    write = ContainerWrite(container)
    pk, components = write.key_for(ctx.partition_key(), None)
    record = documents.patch(
        write, pk, components, ctx.segments[5], spec, ctx.header("if-match"), ctx.state.queries.condition_holds
    )
    ctx.state.documents.commit(write)
    return _item_response(ctx, 200, container, record)


def delete(ctx: Context) -> Response:
    """Delete an item, honouring If-Match."""
    container = ctx.container()
    write = ContainerWrite(container)
    pk, item_id = _key(ctx, write)
    previous = documents.delete(write, pk, item_id, ctx.header("if-match"))
    ctx.state.documents.commit(write)
    return empty(204, partition_headers(ctx, container, epk=previous.epk))


def delete_by_partition_key(ctx: Context) -> Response:
    """Delete every item of the partition named by the key header."""
    container = ctx.container()
    write = ContainerWrite(container)
    header = ctx.partition_key()
    if header is None:
        raise BadRequestError("Deleting by partition key needs the x-ms-documentdb-partitionkey header.")
    pk, _ = write.key_for(header, None)
    documents.delete_partition(write, pk)
    ctx.state.documents.commit(write)
    return empty(200, partition_headers(ctx, container))


def read_feed(ctx: Context) -> Response:
    """`GET .../docs`: every item (of one partition if the key header is given), paged."""
    container = ctx.container()
    header = ctx.partition_key()
    key_range = ctx.key_range(container)
    if header is None and key_range is None and ctx.epk_range() is None:
        # The whole container: the gateway reads partition after partition, as for a plain query.
        rows, fanned, _ = cross_partition.fan_out(ctx, container, "SELECT * FROM c", {})
        return serialised_feed_response("Documents", container.rid, rows, fanned)
    pk = ContainerWrite(container).key_for(header, None)[0] if header is not None else None
    records = ctx.state.records_in_scope(container, pk, ctx.epk_range(), key_range=key_range)
    continuation = ctx.header("x-ms-continuation")
    offset = token_int(decode_token(continuation), "o", 0) if continuation else 0
    size = ctx.max_item_count()
    end = len(records) if size is None or size < 0 else offset + max(size, 1)
    page = [record.text for record in records[offset:end]]
    headers = container_headers(container)
    if end < len(records):
        headers["x-ms-continuation"] = encode_token({"o": end})
    return serialised_feed_response("Documents", container.rid, page, headers)
