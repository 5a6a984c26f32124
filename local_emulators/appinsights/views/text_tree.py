"""The text `show RUN_ID` prints: a header, the span tree with durations, tokens and errors, then the agents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def format_ms(ms: float) -> str:
    """A duration for humans: `850 ms`, `1.25 s`, `2 m 05 s`."""
    if ms < 1000:
        return f"{ms:.1f} ms" if ms < 10 else f"{ms:.0f} ms"
    if ms < 60_000:
        return f"{ms / 1000:.2f} s"
    minutes, seconds = divmod(ms / 1000, 60)
    return f"{int(minutes)} m {int(seconds):02d} s"


def _tokens(span: Mapping[str, Any]) -> str:
    if not (span["input_tokens"] or span["output_tokens"]):
        return ""
    return f"  tokens {span['input_tokens']} in / {span['output_tokens']} out"


def _prefixes(spans: Sequence[Mapping[str, Any]]) -> list[str]:
    """Tree-drawing prefixes (├─ └─ │) from each span's depth in tree order."""
    prefixes = []
    for index, span in enumerate(spans):
        depth = span["depth"]
        if depth == 0:
            prefixes.append("")
            continue
        parts = []
        for level in range(1, depth + 1):
            later = next((s["depth"] for s in spans[index + 1 :] if s["depth"] <= level), 0)
            if level == depth:
                parts.append("├─ " if later == level else "└─ ")
            else:
                parts.append("│  " if later == level else "   ")
        prefixes.append("".join(parts))
    return prefixes


def render_run(run: Mapping[str, Any]) -> str:
    """The whole text of `show` for one run (the JSON of `/api/runs/{id}`)."""
    cost = f" · ${run['cost_usd']:.4f}" if run["cost_usd"] else ""
    lines = [
        f"run {run['run_id']} · {run['status']} · {format_ms(run['duration_ms'])} · {run['span_count']} spans · "
        f"tokens {run['input_tokens']} in / {run['output_tokens']} out{cost}",
        f"operation {', '.join(run['operation_ids'])} · started {run['start']}",
        "",
    ]
    spans = run["spans"]
    for prefix, span in zip(_prefixes(spans), spans, strict=True):
        agent = f"  [{span['agent']}]" if span["category"] in ("agent", "process") or span["depth"] == 0 else ""
        failure = ""
        if not span["success"]:
            failure = f"  ✗ {span['error_type'] or 'failed'}"
            if span["error_message"]:
                failure += f": {span['error_message']}"
        lines.append(f"{prefix}{span['name']}{agent}  {format_ms(span['duration_ms'])}{_tokens(span)}{failure}")
    lines += ["", f"{'agent':<16}{'spans':>6}{'llm':>5}{'tools':>6}{'in':>8}{'out':>8}{'cost $':>10}{'errors':>7}"]
    for agent in run["agents"]:
        lines.append(
            f"{agent['agent']:<16}{agent['spans']:>6}{agent['llm_calls']:>5}{agent['tool_calls']:>6}"
            f"{agent['input_tokens']:>8}{agent['output_tokens']:>8}{agent['cost_usd']:>10.4f}{agent['errors']:>7}"
        )
    return "\n".join(lines) + "\n"
