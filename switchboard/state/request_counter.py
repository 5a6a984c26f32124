"""`RequestCounter`: how many Cosmos item requests a process made and how many bytes it sent (for benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RequestCounts:
    """A snapshot of the counters; subtract two to get what happened in between.

    Attributes:
        requests: HTTP requests on items (reads, writes, queries, batches), retries included.
        writes: Those that write (create, upsert, replace, patch, delete, batch).
        bytes_sent: Request body bytes of the item requests.
    """

    requests: int = 0
    writes: int = 0
    bytes_sent: int = 0

    def __sub__(self, other: RequestCounts) -> RequestCounts:
        return RequestCounts(
            self.requests - other.requests, self.writes - other.writes, self.bytes_sent - other.bytes_sent
        )


class RequestCounter:
    """Counts item requests as they leave the SDK; hook it in with `CosmosClient(..., raw_request_hook=counter)`.

    The hook runs in azure-core's pipeline after the retry policy, so every attempt on the wire is counted.
    Account, database and container requests (the SDK's own bookkeeping) are not item requests and are skipped.
    """

    def __init__(self) -> None:
        self._requests = 0
        self._writes = 0
        self._bytes = 0

    def __call__(self, request: Any) -> None:
        """The azure-core `raw_request_hook`: count one outgoing request."""
        http = request.http_request
        if "/docs" not in str(http.url):
            return
        self._requests += 1
        queried = str(http.headers.get("x-ms-documentdb-isquery", "")).lower() == "true"
        if http.method != "GET" and not queried:
            self._writes += 1
        body = http.body
        if isinstance(body, bytes | bytearray):
            self._bytes += len(body)
        elif isinstance(body, str):
            self._bytes += len(body.encode())

    def snapshot(self) -> RequestCounts:
        """The counts so far."""
        return RequestCounts(self._requests, self._writes, self._bytes)
