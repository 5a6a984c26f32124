"""Envelopes shaped as azure-monitor-opentelemetry writes them, for raw-HTTP and unit tests."""

from __future__ import annotations

import gzip
import json
from typing import Any

IKEY = "00000000-0000-0000-0000-000000000000"


def span_envelope(
    operation: str,
    span_id: str,
    name: str,
    *,
    parent: str | None = None,
    ikey: str = IKEY,
    request: bool = False,
    time: str = "2026-11-21T22:11:59.570769Z",
    duration: str = "0.00:00:00.250",
    success: bool = True,
    properties: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Request (`request=True`) or RemoteDependency envelope of one span."""
    tags = {"ai.operation.id": operation, "ai.operation.name": name, "ai.cloud.role": "switchboard"}
    if parent is not None:
        tags["ai.operation.parentId"] = parent
    kind = "Request" if request else "RemoteDependency"
    base: dict[str, Any] = {
        "ver": 2,
        "name": name,
        "id": span_id,
        "duration": duration,
        "success": success,
        "properties": properties or {},
        "measurements": {},
    }
    base["responseCode" if request else "resultCode"] = "0"
    return {
        "name": f"Microsoft.ApplicationInsights.{kind}",
        "iKey": ikey,
        "time": time,
        "sampleRate": 100.0,
        "tags": tags,
        "data": {"baseType": f"{kind}Data", "baseData": base},
    }


def exception_envelope(operation: str, parent: str, type_name: str, message: str) -> dict[str, Any]:
    """An Exception envelope recorded on span `parent`."""
    return {
        "name": "Microsoft.ApplicationInsights.Exception",
        "iKey": IKEY,
        "time": "2026-11-21T22:11:59.600000Z",
        "tags": {"ai.operation.id": operation, "ai.operation.parentId": parent},
        "data": {
            "baseType": "ExceptionData",
            "baseData": {"ver": 2, "exceptions": [{"typeName": type_name, "message": message, "hasFullStack": False}]},
        },
    }


def as_array(items: list[dict[str, Any]]) -> bytes:
    """A JSON array body."""
    return json.dumps(items).encode()


def as_ndjson(items: list[dict[str, Any]]) -> bytes:
    """A newline-delimited JSON body."""
    return b"\n".join(json.dumps(item).encode() for item in items) + b"\n"


def gzipped(body: bytes) -> bytes:
    """The body gzip-compressed (send with Content-Encoding: gzip)."""
    return gzip.compress(body)
