"""The shared page frame: inline CSS, no external assets (the pages work offline, no build step)."""

from __future__ import annotations

from html import escape

CSS = """
:root { --bg:#f7f8fa; --fg:#1d2430; --muted:#667085; --line:#e3e6eb; --agent:#3b6fd8; --llm:#8b5cf6;
        --tool:#0f9d8a; --msg:#98a2b3; --fail:#d92d20; --failbg:#fef3f2; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg);
       color:var(--fg); }
header.top { background:#1d2430; color:#fff; padding:10px 20px; display:flex; gap:16px; align-items:baseline; }
header.top a { color:#fff; text-decoration:none; font-weight:600; }
header.top span { color:#c0c7d2; font-size:12px; }
main { padding:16px 20px; }
h1 { font-size:18px; margin:0 0 4px; } h2 { font-size:15px; margin:18px 0 8px; }
.muted { color:var(--muted); } .mono { font-family:ui-monospace, "SFMono-Regular", Menlo, monospace; font-size:12px; }
table.grid { border-collapse:collapse; background:#fff; border:1px solid var(--line); min-width:60%; }
table.grid th, table.grid td { padding:5px 10px; border-bottom:1px solid var(--line); text-align:right; }
table.grid th:first-child, table.grid td:first-child { text-align:left; }
table.grid .left { text-align:left; }
table.grid th { background:#eef1f5; font-weight:600; font-size:12px; }
table.grid tr.total td { font-weight:700; background:#f4f6f9; }
.pill { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; }
.pill.ok { background:#ecfdf3; color:#067647; } .pill.failed { background:var(--failbg); color:var(--fail); }
.stats { display:flex; gap:22px; margin:6px 0 4px; flex-wrap:wrap; }
.stats b { display:block; font-size:17px; }
.wf { background:#fff; border:1px solid var(--line); margin-top:8px; }
.axis, .row { display:grid; grid-template-columns: 38% 62%; }
.axis { border-bottom:1px solid var(--line); font-size:11px; color:var(--muted); height:22px; }
.axis .ticks { position:relative; }
.axis .tick { position:absolute; top:4px; transform:translateX(-50%); white-space:nowrap; }
.axis .tick:first-child { transform:none; } .axis .tick:last-child { transform:translateX(-100%); }
.lane { border-left:5px solid var(--lane); }
.lane-head { background:#f4f6f9; padding:4px 10px; font-weight:600; border-bottom:1px solid var(--line);
             display:flex; justify-content:space-between; }
.lane-head .muted { font-weight:400; font-size:12px; }
.row { border-bottom:1px solid #f0f1f4; min-height:24px; cursor:pointer; }
.row:hover { background:#f8fafc; }
.row .label { padding:3px 8px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
.row .track { position:relative; border-left:1px solid var(--line);
              background:repeating-linear-gradient(90deg, transparent 0 calc(25% - 1px), #f0f1f4 0 25%); }
.bar { position:absolute; top:6px; height:12px; border-radius:3px; min-width:2px; background:var(--msg); }
.cat-agent .bar { background:var(--agent); } .cat-llm .bar { background:var(--llm); }
.cat-tool .bar { background:var(--tool); }
.row .dur { position:absolute; top:4px; font-size:11px; color:var(--muted); white-space:nowrap; padding-left:4px; }
.tok { color:var(--llm); font-size:12px; margin-left:6px; }
.row.failed { background:var(--failbg); } .row.failed .bar { background:var(--fail); }
.err { color:#fff; background:var(--fail); border-radius:3px; padding:0 5px; font-size:11px; margin-left:6px; }
.kind { display:inline-block; width:44px; font-size:10px; text-transform:uppercase; color:var(--muted); }
.props { display:none; grid-column:1 / span 2; padding:4px 16px 8px; background:#fbfcfd; }
.row.open .props { display:block; }
.legend span { margin-right:14px; font-size:12px; } .legend i { display:inline-block; width:10px; height:10px;
  border-radius:2px; margin-right:4px; vertical-align:-1px; }
a { color:#2458c7; }
"""

SCRIPT = """
document.querySelectorAll('.row').forEach(function (row) {
  row.addEventListener('click', function () { row.classList.toggle('open'); });
});
"""


def page(title: str, body: str, *, script: bool = False) -> str:
    """A complete HTML page around `body` (already escaped HTML)."""
    js = f"<script>{SCRIPT}</script>" if script else ""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head><body>'
        '<header class="top"><a href="/">Application Insights · local</a>'
        "<span>Switchboard runs, traces and tokens</span></header>"
        f"<main>{body}</main>{js}</body></html>"
    )


def tokens(count: int) -> str:
    """A token count with thousands separators."""
    return f"{count:,}"


def cost(usd: float) -> str:
    """A cost in dollars, precise enough for small model calls."""
    return f"${usd:.4f}" if usd else "—"
