"""The home page: recent runs with status, duration, span count, tokens and cost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import quote

from local_emulators.appinsights.views.html_base import cost, page, tokens
from local_emulators.appinsights.views.text_tree import format_ms


def render_run_list(runs: Sequence[Mapping[str, Any]], *, stored_items: int, connection_string: str) -> str:
    """The HTML of `GET /`."""
    rows = []
    for run in runs:
        link = f"/runs/{quote(run['run_id'], safe='')}"
        rows.append(
            f'<tr data-run="{escape(run["run_id"])}"><td><a href="{link}">{escape(run["run_id"])}</a>'
            f'<div class="muted mono">{escape(run["operation_id"])}</div></td>'
            f"<td>{escape(run['start'].replace('T', ' ')[:23])}</td>"
            f'<td><span class="pill {run["status"]}">{run["status"]}</span></td>'
            f"<td>{format_ms(run['duration_ms'])}</td><td>{run['span_count']}</td>"
            f"<td class='left'>{escape(', '.join(run['agents']))}</td>"
            f"<td>{tokens(run['input_tokens'] + run['output_tokens'])}</td><td>{cost(run['cost_usd'])}</td></tr>"
        )
    table = (
        '<table class="grid" id="runs"><tr><th>run</th><th>started (UTC)</th><th>status</th><th>duration</th>'
        f"<th>spans</th><th class='left'>agents</th><th>tokens</th><th>cost</th></tr>{''.join(rows)}</table>"
        if rows
        else '<p class="muted">No runs yet. Point an exporter at this emulator with the connection string below.</p>'
    )
    body = (
        f"<h1>Recent runs</h1><p class='muted'>{stored_items} stored telemetry items · newest first</p>{table}"
        f"<h2>Connection string</h2><p class='mono'>{escape(connection_string)}</p>"
        "<p class='muted'>JSON: <a href='/api/runs'>/api/runs</a> · <a href='/health'>/health</a></p>"
    )
    return page("Runs · local Application Insights", body)
