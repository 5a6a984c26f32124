"""Validate one telemetry envelope and pull out the fields queries and views need.

An envelope, as azure-monitor-opentelemetry sends it: `{name: "Microsoft.ApplicationInsights.<Type>", iKey, time,
tags: {ai.operation.id, ai.operation.parentId, ai.operation.name, ai.cloud.role, ...}, data: {baseType,
baseData: {...}}}`. Requests and dependencies are spans (`baseData.id` = span id); exceptions, messages and
events point at their span through `ai.operation.parentId`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

RUN_ID = "switchboard.run_id"
AGENT = "switchboard.agent"
COST = "switchboard.cost_usd"
INPUT_TOKENS = "gen_ai.usage.input_tokens"
OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
SPAN_KINDS = frozenset({"Request", "RemoteDependency"})

_DURATION = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$")
_FRACTION = re.compile(r"\.(\d+)")


class InvalidEnvelopeError(ValueError):
    """One envelope cannot be accepted; the message is the per-item error Azure would give."""


@dataclass(frozen=True)
class TelemetryItem:
    """One accepted envelope with its queryable fields (the JSON text is kept whole in `body`)."""

    kind: str
    name: str
    ikey: str
    time_ms: float
    duration_ms: float | None
    success: bool | None
    operation_id: str | None
    operation_name: str | None
    parent_id: str | None
    span_id: str | None
    cloud_role: str | None
    run_id: str | None
    agent: str | None
    input_tokens: int | None
    output_tokens: int | None
    cost_usd: float | None
    error_type: str | None
    body: str


def parse_time(text: str) -> float:
    """ISO-8601 time (`Z` or offset, up to 7 fractional digits) → milliseconds since the epoch."""
    trimmed = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), text.strip(), count=1)
    moment = datetime.fromisoformat(trimmed.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("time has no zone")
    return moment.timestamp() * 1000.0


def parse_duration(text: str) -> float:
    """Application Insights duration `d.hh:mm:ss.fffffff` → milliseconds."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise ValueError(f"bad duration {text!r}")
    days, hours, minutes, seconds, fraction = match.groups()
    whole = ((int(days or 0) * 24 + int(hours)) * 60 + int(minutes)) * 60 + int(seconds)
    return whole * 1000.0 + (float("0." + fraction) * 1000.0 if fraction else 0.0)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any, kind: type[int] | type[float]) -> Any:
    try:
        return kind(float(value)) if kind is int else kind(value)
    except (TypeError, ValueError):
        return None


def _kind(name: str, data: dict[str, Any]) -> str:
    base_type = data.get("baseType")
    if isinstance(base_type, str) and base_type.endswith("Data"):
        return base_type[: -len("Data")]
    return name.rsplit(".", 1)[-1]


def _error_type(kind: str, base: dict[str, Any], properties: dict[str, Any]) -> str | None:
    if kind == "Exception":
        exceptions = base.get("exceptions")
        if isinstance(exceptions, list) and exceptions and isinstance(exceptions[0], dict):
            return _text(exceptions[0].get("typeName"))
    return _text(properties.get("error.type")) or _text(properties.get("exception.type"))


def _item_name(kind: str, base: dict[str, Any]) -> str:
    if kind == "Exception":
        return _error_type(kind, base, {}) or "Exception"
    if kind == "Metric":
        metrics = base.get("metrics")
        if isinstance(metrics, list) and metrics and isinstance(metrics[0], dict):
            return str(metrics[0].get("name", "Metric"))
    if kind == "Message":
        return str(base.get("message", ""))[:200]
    return str(base.get("name", kind))


def read_envelope(raw: Any, body: str) -> TelemetryItem:
    """Validate a parsed envelope and extract its fields.

    Args:
        raw: The parsed JSON value.
        body: Its JSON text, stored as is.

    Raises:
        InvalidEnvelopeError: A required field is missing or of the wrong type.
    """
    if not isinstance(raw, dict):
        raise InvalidEnvelopeError("Each item must be a JSON object (an Envelope).")
    for required in ("name", "time", "iKey"):
        if not isinstance(raw.get(required), str) or not raw[required]:
            raise InvalidEnvelopeError(f"Field '{required}' on type Envelope is required.")
    data = raw.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("baseData", {}), dict):
        raise InvalidEnvelopeError("Field 'data' on type Envelope is required (an object with baseData).")
    try:
        time_ms = parse_time(raw["time"])
    except ValueError as error:
        raise InvalidEnvelopeError(f"Field 'time' on type Envelope is invalid: {raw['time']!r}.") from error
    tags: dict[str, Any] = raw["tags"] if isinstance(raw.get("tags"), dict) else {}
    base: dict[str, Any] = data.get("baseData", {})
    properties: dict[str, Any] = base["properties"] if isinstance(base.get("properties"), dict) else {}
    kind = _kind(raw["name"], data)
    duration_ms = None
    if isinstance(base.get("duration"), str):
        try:
            duration_ms = parse_duration(base["duration"])
        except ValueError as error:
            raise InvalidEnvelopeError(f"Field 'duration' is invalid: {base['duration']!r}.") from error
    success = base.get("success")
    return TelemetryItem(
        kind=kind,
        name=_item_name(kind, base),
        ikey=raw["iKey"],
        time_ms=time_ms,
        duration_ms=duration_ms,
        success=success if isinstance(success, bool) else None,
        operation_id=_text(tags.get("ai.operation.id")),
        operation_name=_text(tags.get("ai.operation.name")),
        parent_id=_text(tags.get("ai.operation.parentId")),
        span_id=_text(base.get("id")) if kind in SPAN_KINDS else None,
        cloud_role=_text(tags.get("ai.cloud.role")),
        run_id=_text(properties.get(RUN_ID)),
        agent=_text(properties.get(AGENT)) or _text(properties.get("gen_ai.agent.name")),
        input_tokens=_number(properties.get(INPUT_TOKENS), int),
        output_tokens=_number(properties.get(OUTPUT_TOKENS), int),
        cost_usd=_number(properties.get(COST), float),
        error_type=_error_type(kind, base, properties),
        body=body,
    )
