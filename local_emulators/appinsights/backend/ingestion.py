"""One ingestion request, as Azure's Breeze endpoint answers it.

The answer is `{"itemsReceived", "itemsAccepted", "errors": [{"index", "statusCode", "message"}]}` with HTTP 200
when every item is accepted, 206 when some are, 400 when none is. An item is rejected (400) when it is not an
envelope, its instrumentation key is not one of the emulator's, it is larger than the per-item limit, or it lies
past the per-request item limit. Azure Monitor exporters drop items rejected with 400 and retry the others.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from local_emulators.appinsights.backend.decoding import LineError, inflate, parse_items
from local_emulators.appinsights.backend.envelopes import InvalidEnvelopeError, TelemetryItem, read_envelope
from local_emulators.appinsights.backend.store import TelemetryStore
from local_emulators.appinsights.errors import BodyTooLargeError, RequestRefusedError
from local_emulators.appinsights.settings import Limits

INVALID_IKEY = "Invalid instrumentation key"


@dataclass
class IngestionResult:
    """What the ingestion endpoint answers."""

    received: int = 0
    accepted: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> int:
        """200 all accepted, 206 some, 400 none."""
        if self.accepted == self.received and self.received > 0:
            return 200
        return 206 if self.accepted else 400

    def body(self) -> dict[str, Any]:
        """The JSON body of the answer."""
        return {"itemsReceived": self.received, "itemsAccepted": self.accepted, "errors": self.errors}

    @classmethod
    def refused(cls, error: RequestRefusedError) -> IngestionResult:
        """The answer to a request refused as a whole."""
        return cls(errors=[{"index": 0, "statusCode": error.status, "message": error.message}])


class Ingestor:
    """Checks and stores the items of ingestion requests.

    Args:
        store: Where accepted items go.
        ikeys: Accepted instrumentation keys (compared case-insensitively).
        limits: The quotas.
    """

    def __init__(self, store: TelemetryStore, ikeys: frozenset[str], limits: Limits) -> None:
        self.store = store
        self.ikeys = frozenset(key.lower() for key in ikeys)
        self.limits = limits

    def ingest(self, body: bytes, content_encoding: str | None) -> IngestionResult:
        """Decode, validate and store one request body.

        Raises:
            RequestRefusedError: The body as a whole is refused (too large, not decodable, not JSON).
        """
        if len(body) > self.limits.max_body_bytes:
            raise BodyTooLargeError(f"The request body exceeds {self.limits.max_body_bytes} bytes.")
        raw_items = parse_items(inflate(body, content_encoding, self.limits.max_body_bytes))
        result = IngestionResult(received=len(raw_items))
        accepted: list[TelemetryItem] = []
        for index, raw in enumerate(raw_items):
            problem, item = self._check(index, raw)
            if item is not None:
                accepted.append(item)
            else:
                result.errors.append({"index": index, "statusCode": 400, "message": problem})
        result.accepted = self.store.add(accepted)
        return result

    def _check(self, index: int, raw: Any) -> tuple[str, TelemetryItem | None]:
        if isinstance(raw, LineError):
            return raw.message, None
        if index >= self.limits.max_items_per_request:
            return f"Too many items in one request (at most {self.limits.max_items_per_request}).", None
        text = json.dumps(raw, separators=(",", ":"), ensure_ascii=False)
        if len(text.encode()) > self.limits.max_item_bytes:
            return f"The item is larger than {self.limits.max_item_bytes} bytes.", None
        try:
            item = read_envelope(raw, text)
        except InvalidEnvelopeError as error:
            return str(error), None
        if item.ikey.lower() not in self.ikeys:
            return INVALID_IKEY, None
        return "", item
