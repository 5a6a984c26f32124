"""The run page: a summary per agent, then the waterfall — one lane per agent, spans nested, bars on one axis."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from local_emulators.appinsights.views.html_base import cost, page, tokens
from local_emulators.appinsights.views.text_tree import format_ms

_LANE_COLOURS = ("#3b6fd8", "#e07a1f", "#0f9d8a", "#8b5cf6", "#c2418c", "#4f8a10", "#b54708", "#1570ef")
_KIND_LABELS = {"agent": "agent", "llm": "llm", "tool": "tool", "process": "recv", "send": "send", "other": "span"}
_HIDDEN_PROPERTIES = ("_MS.", "ai.")


def _summary(run: Mapping[str, Any]) -> str:
    rows = "".join(
        f'<tr data-agent-row="{escape(a["agent"])}"><td>{escape(a["agent"])}</td><td>{a["spans"]}</td>'
        f"<td>{a['llm_calls']}</td><td>{a['tool_calls']}</td><td>{tokens(a['input_tokens'])}</td>"
        f"<td>{tokens(a['output_tokens'])}</td><td>{cost(a['cost_usd'])}</td>"
        f"<td>{a['errors'] or ''}</td><td>{format_ms(a['duration_ms'])}</td></tr>"
        for a in run["agents"]
    )
    total = run["input_tokens"] + run["output_tokens"]
    return (
        '<table class="grid" id="agents"><tr><th>agent</th><th>spans</th><th>LLM calls</th><th>tool calls</th>'
        "<th>input tokens</th><th>output tokens</th><th>cost</th><th>errors</th><th>time</th></tr>"
        f'{rows}<tr class="total" id="totals" data-total-tokens="{total}"><td>all agents</td>'
        f"<td>{run['span_count']}</td><td>{sum(a['llm_calls'] for a in run['agents'])}</td>"
        f"<td>{sum(a['tool_calls'] for a in run['agents'])}</td><td>{tokens(run['input_tokens'])}</td>"
        f"<td>{tokens(run['output_tokens'])}</td><td>{cost(run['cost_usd'])}</td><td>{run['errors'] or ''}</td>"
        f"<td>{format_ms(run['duration_ms'])}</td></tr></table>"
    )


def _axis(total_ms: float) -> str:
    ticks = "".join(
        f'<span class="tick" style="left:{share * 100:.0f}%">{format_ms(total_ms * share) if share else "0"}</span>'
        for share in (0, 0.25, 0.5, 0.75, 1)
    )
    label = '<div class="label muted" style="padding:4px 8px">span</div>'
    return f'<div class="axis">{label}<div class="ticks">{ticks}</div></div>'


def _row(span: Mapping[str, Any], total_ms: float) -> str:
    left = span["start_ms"] / total_ms * 100 if total_ms else 0.0
    width = span["duration_ms"] / total_ms * 100 if total_ms else 100.0
    left, width = min(left, 100.0), min(width, 100.0 - min(left, 100.0))
    used = span["input_tokens"] + span["output_tokens"]
    tok = f'<span class="tok">{tokens(span["input_tokens"])}→{tokens(span["output_tokens"])} tok</span>' if used else ""
    error = ""
    classes = f"row cat-{span['category']}"
    if not span["success"]:
        classes += " failed"
        error = f'<span class="err">{escape(span["error_type"] or "failed")}</span>'
    shown = {k: v for k, v in span["properties"].items() if not k.startswith(_HIDDEN_PROPERTIES)}
    details = "".join(f"<div><b>{escape(k)}</b> = {escape(v)}</div>" for k, v in sorted(shown.items()))
    if span["error_message"]:
        details = f"<div><b>exception</b> = {escape(span['error_message'])}</div>{details}"
    title = f"{span['name']} · {format_ms(span['duration_ms'])}"
    # Near the right edge the duration goes before the bar, so it never covers it.
    where = f"left:{left + width:.3f}%" if left + width < 82 else f"right:{100 - left:.3f}%;padding-right:4px"
    return (
        f'<div class="{classes}" data-span="{escape(span["id"])}" data-error="{escape(span["error_type"] or "")}" '
        f'title="{escape(title)}"><div class="label" style="padding-left:{8 + 16 * span["lane_depth"]}px">'
        f'<span class="kind">{_KIND_LABELS[span["category"]]}</span>{escape(span["name"])}{tok}{error}</div>'
        f'<div class="track"><div class="bar" style="left:{left:.3f}%;width:{width:.3f}%"></div>'
        f'<span class="dur" style="{where}">{format_ms(span["duration_ms"])}</span></div>'
        f'<div class="props mono">{details or "no attributes"}</div></div>'
    )


def render_waterfall(run: Mapping[str, Any]) -> str:
    """The HTML of `GET /runs/{id}` from the run's JSON."""
    total_ms = max(run["duration_ms"], 0.001)
    lanes = []
    for index, agent in enumerate(run["agents"]):
        name = agent["agent"]
        rows = "".join(_row(span, total_ms) for span in run["spans"] if span["agent"] == name)
        used = agent["input_tokens"] + agent["output_tokens"]
        lanes.append(
            f'<section class="lane" data-agent="{escape(name)}" style="--lane:{_LANE_COLOURS[index % 8]}">'
            f'<div class="lane-head"><span>{escape(name)}</span><span class="muted">{agent["spans"]} spans · '
            f"{tokens(used)} tokens · {cost(agent['cost_usd'])}"
            f"{' · ' + str(agent['errors']) + ' failed' if agent['errors'] else ''}</span></div>{rows}</section>"
        )
    cost_stat = f"<div><b>{cost(run['cost_usd'])}</b>est. cost</div>"
    body = (
        f'<h1>Run <span class="mono" id="run-id">{escape(run["run_id"])}</span> '
        f'<span class="pill {run["status"]}" id="status">{run["status"]}</span></h1>'
        f'<div class="muted mono">operation {escape(", ".join(run["operation_ids"]))} · started '
        f"{escape(run['start'])}</div>"
        f'<div class="stats"><div><b>{format_ms(run["duration_ms"])}</b>duration</div>'
        f"<div><b>{run['span_count']}</b>spans</div><div><b>{len(run['agents'])}</b>agents</div>"
        f'<div><b id="total-tokens">{tokens(run["input_tokens"] + run["output_tokens"])}</b>tokens '
        f"({tokens(run['input_tokens'])} in / {tokens(run['output_tokens'])} out)</div>{cost_stat}"
        f"<div><b>{run['errors']}</b>failed spans</div></div>"
        f"<h2>Tokens and cost per agent</h2>{_summary(run)}"
        '<h2>Waterfall</h2><div class="legend"><span><i style="background:var(--agent)"></i>agent</span>'
        '<span><i style="background:var(--llm)"></i>LLM call</span><span><i style="background:var(--tool)"></i>'
        'tool call</span><span><i style="background:var(--msg)"></i>messaging</span><span><i style="background:'
        'var(--fail)"></i>failed</span><span class="muted">click a span for its attributes</span></div>'
        f'<div class="wf">{_axis(total_ms)}{"".join(lanes)}</div>'
    )
    return page(f"Run {run['run_id']} · local Application Insights", body, script=True)
