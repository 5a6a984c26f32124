"""Build a run's span tree, its agents (lanes) and its totals from stored telemetry items.

A run is one or more operations (traces) named by the operation id, the `switchboard.run_id` attribute or the
operation name. Agents come from `switchboard.agent`, else from the `invoke_agent <name>` span, else from the
nearest ancestor. Tokens and cost are counted on the deepest spans that carry them, so a parent that repeats its
children's totals is not counted twice.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from local_emulators.appinsights.backend.envelopes import SPAN_KINDS, TelemetryItem

NO_AGENT = "(run)"
_CATEGORIES = (("invoke_agent ", "agent"), ("chat ", "llm"), ("execute_tool ", "tool"), ("process ", "process"))


@dataclass
class Span:
    """One span of the run, as the views draw it (`start_ms` is relative to the run's start)."""

    id: str
    parent_id: str | None
    name: str
    kind: str
    category: str
    agent: str
    depth: int
    lane_depth: int
    start_ms: float
    duration_ms: float
    success: bool
    error_type: str | None
    error_message: str | None
    input_tokens: int
    output_tokens: int
    cost_usd: float
    model: str | None
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class AgentTotals:
    """One lane of the waterfall: an agent's spans, calls, tokens, cost and errors."""

    agent: str
    spans: int = 0
    llm_calls: int = 0
    tool_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    errors: int = 0
    duration_ms: float = 0.0


@dataclass
class RunView:
    """A whole run: summary, lanes and spans in tree order."""

    run_id: str
    operation_ids: list[str]
    start: str
    duration_ms: float
    status: str
    span_count: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    errors: int
    agents: list[AgentTotals]
    spans: list[Span]

    def to_json(self) -> dict[str, Any]:
        """The JSON form served at `/api/runs/{id}` (and read back by `show --url`)."""
        return asdict(self)


def _category(name: str) -> str:
    for prefix, category in _CATEGORIES:
        if name.startswith(prefix):
            return category
    return "send" if name.startswith("send ") else "other"


def _properties(item: TelemetryItem) -> dict[str, str]:
    if not item.body:
        return {}
    base = json.loads(item.body).get("data", {}).get("baseData", {})
    properties = base.get("properties")
    return {str(k): str(v) for k, v in properties.items()} if isinstance(properties, dict) else {}


def _exception_message(item: TelemetryItem) -> str | None:
    if not item.body:
        return None
    exceptions = json.loads(item.body).get("data", {}).get("baseData", {}).get("exceptions")
    if isinstance(exceptions, list) and exceptions and isinstance(exceptions[0], dict):
        message = exceptions[0].get("message")
        return str(message)[:300] if message is not None else None
    return None


def _run_label(items: list[TelemetryItem], fallback: str) -> str:
    for item in items:
        if item.run_id:
            return item.run_id
    roots = [i for i in items if i.kind in SPAN_KINDS and not i.parent_id and i.operation_name]
    return roots[0].operation_name or fallback if roots else fallback


def _span(
    item: TelemetryItem,
    depth: int,
    parent_agent: str | None,
    lane_depths: dict[str, int],
    start: float,
    error: TelemetryItem | None,
) -> Span:
    name = item.name
    agent = item.agent or (name.split(" ", 1)[1] if name.startswith("invoke_agent ") else None) or parent_agent
    lane = agent or NO_AGENT
    properties = _properties(item)
    return Span(
        id=item.span_id or "",
        parent_id=item.parent_id,
        name=name,
        kind=item.kind,
        category=_category(name),
        agent=lane,
        depth=depth,
        lane_depth=lane_depths.get(lane, 0),
        start_ms=round(item.time_ms - start, 3),
        duration_ms=item.duration_ms or 0.0,
        success=item.success is not False,
        error_type=item.error_type or (error.error_type if error else None),
        error_message=_exception_message(error) if error else None,
        input_tokens=item.input_tokens or 0,
        output_tokens=item.output_tokens or 0,
        cost_usd=item.cost_usd or 0.0,
        model=properties.get("gen_ai.request.model") or properties.get("gen_ai.response.model"),
        properties=properties,
    )


def build_run(run: str, items: list[TelemetryItem]) -> RunView:
    """Assemble the view of one run from all items of its operations (arrival order)."""
    spans: dict[str, TelemetryItem] = {}
    for item in items:
        if item.kind in SPAN_KINDS and item.span_id and item.span_id not in spans:
            spans[item.span_id] = item
    errors_of: dict[str, TelemetryItem] = {}
    for item in items:
        if item.kind == "Exception" and item.parent_id and item.parent_id not in errors_of:
            errors_of[item.parent_id] = item
    children: dict[str | None, list[TelemetryItem]] = {}
    for item in spans.values():
        parent = item.parent_id if item.parent_id in spans else None
        children.setdefault(parent, []).append(item)
    for siblings in children.values():
        siblings.sort(key=lambda i: i.time_ms)
    start = min((i.time_ms for i in spans.values()), default=min((i.time_ms for i in items), default=0.0))
    end = max((i.time_ms + (i.duration_ms or 0.0) for i in spans.values()), default=start)
    ordered: list[Span] = []
    visited: set[str] = set()
    # Roots first; spans caught in a parent cycle (bad input) then start their own tree instead of vanishing.
    # Iterative, so a deep chain of spans cannot exhaust the interpreter's stack.
    for root in [*children.get(None, []), *sorted(spans.values(), key=lambda i: i.time_ms)]:
        stack: list[tuple[TelemetryItem, int, str | None, dict[str, int]]] = [(root, 0, None, {})]
        while stack:
            item, depth, parent_agent, lane_depths = stack.pop()
            if item.span_id in visited:
                continue
            visited.add(item.span_id or "")
            span = _span(item, depth, parent_agent, lane_depths, start, errors_of.get(item.span_id or ""))
            ordered.append(span)
            below = {**lane_depths, span.agent: span.lane_depth + 1}
            agent = None if span.agent == NO_AGENT else span.agent
            stack.extend((child, depth + 1, agent, below) for child in reversed(children.get(item.span_id, [])))
    _count_deepest(ordered)
    return _assemble(run, items, ordered, start, end)


def _count_deepest(ordered: list[Span]) -> None:
    """Zero the tokens and cost of spans whose descendants carry their own (deepest spans count)."""
    by_id = {span.id: span for span in ordered}
    tokens_below: set[str] = set()
    cost_below: set[str] = set()
    for span in reversed(ordered):
        if span.id in tokens_below:
            span.input_tokens = span.output_tokens = 0
        if span.id in cost_below:
            span.cost_usd = 0.0
        parent = span.parent_id if span.parent_id in by_id else None
        if parent is not None:
            if span.input_tokens or span.output_tokens or span.id in tokens_below:
                tokens_below.add(parent)
            if span.cost_usd or span.id in cost_below:
                cost_below.add(parent)


def _assemble(run: str, items: list[TelemetryItem], ordered: list[Span], start: float, end: float) -> RunView:
    lanes: dict[str, AgentTotals] = {}
    for span in ordered:
        totals = lanes.setdefault(span.agent, AgentTotals(span.agent))
        totals.spans += 1
        totals.llm_calls += span.category == "llm"
        totals.tool_calls += span.category == "tool"
        totals.input_tokens += span.input_tokens
        totals.output_tokens += span.output_tokens
        totals.cost_usd += span.cost_usd
        totals.errors += not span.success
        if span.lane_depth == 0:
            totals.duration_ms += span.duration_ms
    first_start = {span.agent: span.start_ms for span in reversed(ordered)}
    agents = sorted(lanes.values(), key=lambda t: (t.agent == NO_AGENT, first_start[t.agent]))
    operations = sorted({i.operation_id for i in items if i.operation_id})
    errors = sum(not span.success for span in ordered)
    return RunView(
        run_id=_run_label(items, run),
        operation_ids=operations,
        start=datetime.fromtimestamp(start / 1000.0, UTC).isoformat(timespec="milliseconds"),
        duration_ms=round(end - start, 3),
        status="failed" if errors else "ok",
        span_count=len(ordered),
        input_tokens=sum(a.input_tokens for a in agents),
        output_tokens=sum(a.output_tokens for a in agents),
        cost_usd=round(sum(a.cost_usd for a in agents), 6),
        errors=errors,
        agents=agents,
        spans=ordered,
    )
