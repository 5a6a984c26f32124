"""What every handler needs: the request context, header parsing and the standard response headers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from local_emulators.cosmos.backend import partition_keys
from local_emulators.cosmos.backend.models import Container
from local_emulators.cosmos.backend.partition_keys import PartitionKeyValue
from local_emulators.cosmos.backend.partitioning import KeyRange, epk_of
from local_emulators.cosmos.backend.state import AccountState
from local_emulators.cosmos.errors import BadRequestError, PartitionKeyRangeGoneError, StaleContainerRidError
from local_emulators.cosmos.wire import Request, Response, json_response

REQUEST_CHARGE = "1.0"


@dataclass
class Context:
    """One request, its path segments (decoded) and the account it addresses."""

    request: Request
    segments: list[str]
    state: AccountState

    @property
    def headers(self) -> dict[str, str]:
        """The request headers (lower-cased names)."""
        return self.request.headers

    def header(self, name: str) -> str | None:
        """One request header, or None."""
        return self.request.headers.get(name)

    def flag(self, name: str) -> bool:
        """Whether a boolean header is `true`."""
        return (self.request.headers.get(name) or "").lower() == "true"

    def body(self) -> Any:
        """The JSON body, or 400."""
        try:
            return self.request.json()
        except ValueError as exc:
            raise BadRequestError(f"The request body is not valid JSON: {exc}") from exc

    def body_object(self) -> dict[str, Any]:
        """The JSON body as an object, or 400."""
        body = self.body()
        if not isinstance(body, dict):
            raise BadRequestError("The request body must be a JSON object.")
        return body

    def container(self) -> Container:
        """The container named by the path (`dbs/<db>/colls/<c>/...`), checking the client's cached rid."""
        database = self.state.catalog.database(self.segments[1])
        container = self.state.catalog.container(database.id, self.segments[3])
        intended = self.header("x-ms-cosmos-intended-collection-rid")
        if intended and intended != container.rid:
            raise StaleContainerRidError("The container was deleted and recreated; refresh the cached container.")
        return container

    def partition_key(self) -> tuple[PartitionKeyValue, ...] | None:
        """The partition key header, parsed; None when absent."""
        raw = self.header("x-ms-documentdb-partitionkey")
        return partition_keys.parse_header(raw) if raw else None

    def max_item_count(self) -> int | None:
        """The requested page size; None when absent."""
        raw = self.header("x-ms-max-item-count")
        if raw is None or raw == "":
            return None
        try:
            return int(raw)
        except ValueError as exc:
            raise BadRequestError(f"x-ms-max-item-count '{raw}' is not an integer.") from exc

    def key_range(self, container: Container) -> KeyRange | None:
        """The physical partition named by `x-ms-documentdb-partitionkeyrangeid`; 410 when it is gone."""
        range_id = self.header("x-ms-documentdb-partitionkeyrangeid")
        if range_id is None:
            return None
        key_range = self.state.layout.range_by_id(container, range_id.rsplit(",", 1)[-1].strip())
        if key_range is None:
            raise PartitionKeyRangeGoneError(f"The partition key range '{range_id}' is gone (split or merged).")
        return key_range

    def epk_range(self) -> tuple[str, str] | None:
        """The effective-partition-key range some SDK requests carry instead of a key."""
        start, end = self.header("x-ms-start-epk"), self.header("x-ms-end-epk")
        if start is None and end is None:
            return None
        return start or "", end or ""


def container_headers(container: Container, etag: str | None = None, range_id: str = "0") -> dict[str, str]:
    """Session, charge and owner headers the SDK uses to track session consistency."""
    headers = {
        "x-ms-request-charge": REQUEST_CHARGE,
        "x-ms-session-token": f"{range_id}:-1#{container.lsn}",
        # Without the range id the SDK thinks the key ranges split and drops its routing cache on every response.
        "x-ms-documentdb-partitionkeyrangeid": range_id,
        "x-ms-alt-content-path": f"dbs/{container.db_id}/colls/{container.id}",
        "lsn": str(container.lsn),
        "x-ms-cosmos-llsn": str(container.lsn),
    }
    if etag is not None:
        headers["etag"] = etag
    return headers


def partition_headers(
    ctx: Context, container: Container, etag: str | None = None, *, epk: str | None = None
) -> dict[str, str]:
    """`container_headers` naming the physical partition of `epk`, else of the request's partition key.

    The SDK keeps one session token per partition key range, keyed by the range id these headers carry.
    """
    if epk is None:
        header = ctx.partition_key()
        epk = epk_of(container, header) if header is not None else ""
    return container_headers(container, etag, ctx.state.layout.range_of(container, epk).id)


def resource_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    """A single resource with its etag header."""
    extra = {"x-ms-request-charge": REQUEST_CHARGE, **(headers or {})}
    if "_etag" in body:
        extra.setdefault("etag", str(body["_etag"]))
    return json_response(status, body, extra)


def feed_response(key: str, rid: str, items: list[Any], headers: dict[str, str] | None = None) -> Response:
    """A feed page: `{"_rid", key: [...], "_count"}` with the item count header."""
    payload = {"_rid": rid, key: items, "_count": len(items)}
    extra = {"x-ms-request-charge": REQUEST_CHARGE, "x-ms-item-count": str(len(items)), **(headers or {})}
    return json_response(200, payload, extra)


def serialised_feed_response(key: str, rid: str, rows: list[str], headers: dict[str, str] | None = None) -> Response:
    """A feed page whose items are already JSON text (stored documents are never encoded twice)."""
    body = f'{{"_rid":{json.dumps(rid)},"{key}":[{",".join(rows)}],"_count":{len(rows)}}}'.encode()
    extra = {
        "content-type": "application/json",
        "x-ms-request-charge": REQUEST_CHARGE,
        "x-ms-item-count": str(len(rows)),
        **(headers or {}),
    }
    return Response(status=200, body=body, headers=extra)


def query_parameters(body: dict[str, Any]) -> dict[str, Any]:
    """The `parameters` list of a query body as a name → value mapping."""
    parameters: dict[str, Any] = {}
    for entry in body.get("parameters") or []:
        if not isinstance(entry, dict) or "name" not in entry:
            raise BadRequestError("Each query parameter must be an object with a name and a value.")
        parameters[str(entry["name"])] = entry.get("value")
    return parameters


def empty(status: int, headers: dict[str, str] | None = None) -> Response:
    """A response without a body."""
    return Response(status=status, body=b"", headers={"x-ms-request-charge": REQUEST_CHARGE, **(headers or {})})


def dumps(value: Any) -> bytes:
    """Compact JSON bytes."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
