"""Server-side query execution with paging and opaque, restart-safe continuation tokens.

The whole query runs on the server (so the SDK never needs a query plan); pages are slices of the full
result. Results are cached per token in memory; after a restart the query simply runs again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from local_emulators.cosmos.backend.models import Container, ItemRecord
from local_emulators.cosmos.backend.query_jobs import Guard, QueryJobs
from local_emulators.cosmos.errors import BadRequestError
from local_emulators.cosmos.query import CompiledQuery, QueryError, compile_query
from local_emulators.cosmos.request_json import parse_json

DEFAULT_PAGE_SIZE = 100
MAX_QUERY_TEXT = 262_144  # the gateway's maxSqlQueryInputLength
MAX_PAGE_BYTES = 4 * 1024 * 1024
_COMPILED_CACHE_SIZE = 512
_RESULT_CACHE_SIZE = 64


@dataclass(frozen=True)
class QueryPage:
    """One page of results, each already serialised as JSON, and the token for the next page, if any."""

    rows: list[str]
    continuation: str | None


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _row_text(row: Any, stored: dict[int, str]) -> str:
    """A row as JSON, reusing the stored text of documents: the row itself or an ORDER BY row's payload.

    The SDK's pipeline asks each partition for `{"_rid", "orderByItems", "payload": <document>}` rows.
    """
    text = stored.get(id(row))
    if text is not None:
        return text
    if isinstance(row, dict) and list(row)[-1:] == ["payload"]:
        payload = stored.get(id(row["payload"]))
        if payload is not None:
            head = _dumps({key: value for key, value in row.items() if key != "payload"})
            return f'{head[:-1]}{"," if len(row) > 1 else ""}"payload":{payload}}}'
    return _dumps(row)


def encode_token(payload: dict[str, Any]) -> str:
    """Encode an opaque continuation token."""
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def decode_token(token: str) -> dict[str, Any]:
    """Decode a continuation token, or 400."""
    try:
        payload = parse_json(base64.urlsafe_b64decode(token.encode()), "The continuation token")
    except (ValueError, binascii.Error, BadRequestError) as exc:
        raise BadRequestError(f"The continuation token '{token[:40]}' is malformed.") from exc
    if not isinstance(payload, dict):
        raise BadRequestError("The continuation token is malformed.")
    return payload


def token_int(payload: dict[str, Any], name: str, default: int) -> int:
    """A non-negative integer field of a decoded continuation token, or 400."""
    value = payload.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise BadRequestError("The continuation token is malformed.")
    return value


class QueryEngine:
    """Compiles queries once (cached by text) and pages their results.

    Args:
        strict: Refuse what real Azure refuses although the emulator could run it, e.g. GROUP BY across
            partitions.
    """

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        self._compiled: OrderedDict[tuple[str, str], CompiledQuery] = OrderedDict()
        self._results: OrderedDict[tuple[str, str, str, int], list[str]] = OrderedDict()
        self.jobs = QueryJobs()

    def compile(self, text: str, vector_embedding_policy: Any = None) -> CompiledQuery:
        """The compiled query for `text` (on a container with this vector policy), or a 400 naming the problem."""
        key = (text, _digest(vector_embedding_policy) if vector_embedding_policy else "")
        compiled = self._compiled.get(key)
        if compiled is None:
            if len(text) > MAX_QUERY_TEXT:
                raise BadRequestError(f"The query text is longer than the {MAX_QUERY_TEXT} characters allowed.")
            try:
                compiled = compile_query(text, vector_embedding_policy)
            except QueryError as exc:
                raise BadRequestError(f"Query '{text}' cannot be run: {exc.message}") from exc
            self._compiled[key] = compiled
            if len(self._compiled) > _COMPILED_CACHE_SIZE:
                self._compiled.popitem(last=False)
        else:
            self._compiled.move_to_end(key)
        return compiled

    def compiles(self, text: str) -> bool:
        """Whether the query engine accepts `text`."""
        try:
            self.compile(text)
        except BadRequestError:
            return False
        return True

    def condition_holds(self, condition: str, document: dict[str, Any]) -> bool:
        """Evaluate a patch condition such as `from c where c.n > 1` against one document."""
        compiled = self.compile(f"SELECT VALUE 1 {condition}")
        return bool(self._run(compiled, [document], {}))

    def run_all(self, text: str, documents: Iterable[dict[str, Any]], parameters: dict[str, Any]) -> list[Any]:
        """Run a query to completion (resource feeds such as databases or offers are small)."""
        return self._run(self.compile(text), documents, parameters)

    @staticmethod
    def _run(compiled: CompiledQuery, documents: Iterable[dict[str, Any]], parameters: dict[str, Any]) -> list[Any]:
        try:
            return compiled.run(documents, parameters)
        except QueryError as exc:
            raise BadRequestError(f"The query failed: {exc.message}") from exc

    def page(
        self,
        container: Container,
        records: Callable[[], list[ItemRecord]],
        text: str,
        parameters: dict[str, Any],
        scope: str,
        max_items: int | None,
        continuation: str | None,
    ) -> QueryPage:
        """Run (or resume) a query over `records` and return one page.

        Args:
            container: The container queried (its rid and LSN key the result cache).
            records: Produces the live records in scope, in stable order (called only when not cached).
            text: The query text.
            parameters: Parameter values by name (with the `@`).
            scope: A description of the partition scope, part of the token's identity.
            max_items: The page size; `None` for the default, -1 for "as many as fit in 4 MB".
            continuation: The token from the previous page.
        """
        compiled = self.compile(text, container.body.get("vectorEmbeddingPolicy"))
        if self.strict and compiled.has_group_by and scope == "*":
            raise BadRequestError(
                "GROUP BY across partitions is not supported by Azure Cosmos DB; scope the query to one partition key."
            )
        query_hash, params_hash = _digest(text), _digest([parameters, scope])
        offset, snapshot = 0, container.lsn
        if continuation:
            token = decode_token(continuation)
            if token.get("q") != query_hash or token.get("p") != params_hash:
                raise BadRequestError("The continuation token belongs to a different query or parameters.")
            offset, snapshot = token_int(token, "o", 0), token_int(token, "l", container.lsn)
        key = (container.rid, query_hash, params_hash, snapshot)
        rows = self._results.get(key)
        if rows is None:
            snapshot_records = records() if key not in self.jobs else []
            computed = self._computed_properties(container)
            finished, rows = self.jobs.result(
                key, lambda guard: self._serialised(compiled, snapshot_records, parameters, guard, computed)
            )
            if not finished:
                # The page's execution budget ran out: an empty page, and the same position to come back to.
                pending = encode_token({"q": query_hash, "p": params_hash, "o": offset, "l": snapshot})
                return QueryPage(rows=[], continuation=pending)
            self._results[key] = rows
            if len(self._results) > _RESULT_CACHE_SIZE:
                self._results.popitem(last=False)
        end = self._page_end(rows, offset, max_items)
        if end >= len(rows):
            self._results.pop(key, None)
            return QueryPage(rows=rows[offset:], continuation=None)
        next_token = encode_token({"q": query_hash, "p": params_hash, "o": end, "l": snapshot})
        return QueryPage(rows=rows[offset:end], continuation=next_token)

    def _serialised(
        self,
        compiled: CompiledQuery,
        records: list[ItemRecord],
        parameters: dict[str, Any],
        guard: Guard,
        computed: list[tuple[str, CompiledQuery]] | None = None,
    ) -> list[str]:
        """Run the query and serialise its rows, reusing the stored JSON of rows that are whole documents.

        Runs in a worker thread (see `query_jobs`): it reads only the records handed to it, never live state.
        """
        if computed:
            # Computed properties are visible to the query but never stored: rows that are whole documents
            # still serialise as the stored text, without them (as `SELECT *` does in the service).
            bodies = [self._with_computed(record.body, computed) for record in records]
        else:
            bodies = [record.body for record in records]
        stored = {id(body): record.text for body, record in zip(bodies, records, strict=True)}
        rows = self._run(compiled, guard(bodies), parameters)
        # Row identity is safe here: `records` keeps every body alive while the lookup is in use.
        return [_row_text(row, stored) for row in rows]

    def _computed_properties(self, container: Container) -> list[tuple[str, CompiledQuery]]:
        """The container's computed properties, compiled (`SELECT VALUE <expr> FROM c`)."""
        definitions = container.body.get("computedProperties") or []
        return [(str(entry["name"]), self.compile(str(entry["query"]))) for entry in definitions]

    @staticmethod
    def _with_computed(body: dict[str, Any], computed: list[tuple[str, CompiledQuery]]) -> dict[str, Any]:
        augmented = dict(body)
        for name, query in computed:
            try:
                values = query.run([body])
            except QueryError:
                continue
            if values:
                augmented[name] = values[0]
        return augmented

    @staticmethod
    def _page_end(rows: list[str], offset: int, max_items: int | None) -> int:
        if max_items is None or max_items == 0:
            return offset + DEFAULT_PAGE_SIZE
        if max_items > 0:
            return offset + max_items
        budget, end = MAX_PAGE_BYTES, offset
        while end < len(rows):
            budget -= len(rows[end])
            if budget < 0 and end > offset:
                break
            end += 1
        return end

    def clear(self) -> None:
        """Forget cached results (after a reset)."""
        self._results.clear()
        self.jobs.clear()
