"""How the CLI prints a hosted run: each transcript entry as it arrives, then the report, usage and outcome.

Entries and runs are the JSON of `GET /api/runs/{id}` (plain dicts), so the same printing serves a run followed
live from Cosmos and one shown after the fact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from switchboard.hosting.run_status import RunStatus

_COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "red")
TOOL_LINE_LIMIT = 300
"""Characters of a tool's arguments or result on the terminal (`--json` has the transcript's full capped text)."""


class EntryPrinter:
    """Prints transcript entries as panels, one colour per speaker (in order of first appearance)."""

    def __init__(self, console: Console) -> None:
        """Print to `console`."""
        self.console = console
        self._colours: dict[str, str] = {}

    def __call__(self, entry: Mapping[str, Any]) -> None:
        """Print one entry."""
        source = str(entry.get("source", "?"))
        colour = self._colours.setdefault(source, _COLOURS[len(self._colours) % len(_COLOURS)])
        usage = entry.get("usage") or {}
        tokens = sum(v for v in usage.values() if isinstance(v, int)) if isinstance(usage, Mapping) else 0
        tools = entry.get("tool_calls") or []
        self.console.print(
            Panel(
                # Model text is data, not rich markup: `data[note]` must print as written.
                Text(str(entry.get("content") or "(empty)")),
                title=f"[bold {colour}]{source}[/]" + (f" · {tokens} tokens" if tokens else ""),
                subtitle=f"used {', '.join(map(str, tools))}" if tools else None,
                title_align="left",
                border_style=colour,
            )
        )
        for call in entry.get("tool_activity") or []:
            self._print_tool(call, colour)

    def _print_tool(self, call: Mapping[str, Any], colour: str) -> None:
        # What the tool was asked and answered (capped and scrubbed when the entry was committed).
        line = Text("  ↳ ", style=colour)
        line.append(f"{call.get('name')}", style="bold")
        line.append(f"({_short(str(call.get('arguments') or ''))})")
        line.append(" → " + ("error: " if call.get("is_error") else ""), style="red" if call.get("is_error") else "dim")
        line.append(_short(str(call.get("result") or "")))
        self.console.print(line)


def _short(text: str, limit: int = TOOL_LINE_LIMIT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def report_of(view: Mapping[str, Any], report_author: str | None) -> str | None:
    """The run's report: the last entry of `report_author`, else the last non-task entry."""
    transcript: Sequence[Mapping[str, Any]] = view.get("transcript") or []
    candidates = [e for e in transcript if e.get("kind") != "task"]
    if report_author is not None:
        candidates = [e for e in candidates if e.get("source") == report_author] or candidates
    return str(candidates[-1].get("content") or "") if candidates else None


def print_outcome(console: Console, view: Mapping[str, Any], report_author: str | None) -> None:
    """Print the report, the token usage per agent, and how the run ended."""
    report = report_of(view, report_author)
    console.rule("[bold]Report")
    console.print(Markdown(report) if report else "[dim](no report was written)[/]")
    usage: Mapping[str, Mapping[str, Any]] = view.get("usage") or {}
    if usage:
        table = Table(title="Token usage", title_justify="left")
        # The model column comes last so the numeric columns keep their places for readers of the table.
        for column in ("agent", "prompt", "completion", "total", "model"):
            table.add_column(column, justify="left" if column in ("agent", "model") else "right")
        totals = [0, 0]
        for agent, spent in usage.items():
            prompt, completion = int(spent.get("prompt_tokens", 0)), int(spent.get("completion_tokens", 0))
            totals = [totals[0] + prompt, totals[1] + completion]
            table.add_row(agent, str(prompt), str(completion), str(prompt + completion), str(spent.get("model") or ""))
        table.add_row("[bold]all", str(totals[0]), str(totals[1]), str(sum(totals)), "")
        console.print(table)
    print_status(console, view)


def print_status(console: Console, view: Mapping[str, Any]) -> None:
    """One line: status, stop reason or error, run id and transcript length."""
    status = str(view.get("status"))
    colours: dict[str, str] = {RunStatus.COMPLETED: "green", RunStatus.FAILED: "red", RunStatus.CANCELLED: "yellow"}
    colour = colours.get(status, "white")
    detail = view.get("error") or view.get("stop_reason")
    console.print(f"[bold {colour}]{status}[/]" + (f": {detail}" if detail else ""))
    console.print(f"[dim]run {view.get('id') or view.get('run_id')} · {len(view.get('transcript') or [])} messages[/]")
