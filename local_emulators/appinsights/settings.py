"""Limits and command-line settings of the App Insights emulator."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_IKEY = "00000000-0000-0000-0000-000000000000"
DEFAULT_PORT = 8087


@dataclass(frozen=True)
class Limits:
    """Quotas that keep a flood from exhausting memory or disk.

    Attributes:
        max_body_bytes: Largest request body, checked on the bytes received and again while inflating gzip.
        max_items_per_request: Items past this index are rejected one by one (400), the rest are kept (206).
        max_item_bytes: Largest single envelope (Azure documents 64 KB per item).
        max_stored_items: Stored envelopes above this evict the least recently written operations (whole runs).
        max_stored_bytes: The same for the total size of stored envelopes.
        max_concurrent_requests: Ingestion requests handled at once; more are answered 429 with Retry-After.
        retry_after_seconds: The Retry-After given with a 429.
    """

    max_body_bytes: int = 8 * 1024 * 1024
    max_items_per_request: int = 10_000
    max_item_bytes: int = 64 * 1024
    max_stored_items: int = 200_000
    max_stored_bytes: int = 256 * 1024 * 1024
    max_concurrent_requests: int = 16
    retry_after_seconds: int = 1


@dataclass(frozen=True)
class Settings:
    """How to run the emulator.

    Attributes:
        host: Interface to bind.
        port: TCP port (0 picks a free one).
        data_dir: Directory of the SQLite store; None keeps telemetry in memory only.
        ikeys: Instrumentation keys accepted; an envelope with another key is rejected.
        limits: The quotas.
    """

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    data_dir: Path | None = None
    ikeys: frozenset[str] = frozenset({DEFAULT_IKEY})
    limits: Limits = field(default_factory=Limits)

    def connection_string(self, port: int | None = None) -> str:
        """The connection string that points the Azure Monitor exporter at this emulator."""
        endpoint = f"http://{self.host}:{self.port if port is None else port}/"
        return f"InstrumentationKey={min(self.ikeys)};IngestionEndpoint={endpoint};LiveEndpoint={endpoint}"
