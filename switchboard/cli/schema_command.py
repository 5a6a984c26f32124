"""`switchboard schema export`: write the wire's JSON Schemas into the repository (`schemas/` by default).

With `--check` nothing is written: the command fails, naming the files, when the folder differs from what the
code would write (CI runs the same comparison as a test), so a changed message cannot ship with stale schemas.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from switchboard.protocol.schemas import export_schemas

schema_app = typer.Typer(name="schema", help="JSON Schemas of the envelope and of every message.", no_args_is_help=True)
console = Console()

DEFAULT_FOLDER = Path("schemas")


def drift(folder: Path) -> list[str]:
    """The schema files of `folder` that are missing, stale or no longer written (empty: no drift)."""
    wanted = export_schemas()
    present = {path.name for path in folder.glob("*.json")} if folder.is_dir() else set()
    stale = [name for name, text in wanted.items() if not _same(folder / name, text)]
    return sorted(stale + sorted(present - set(wanted)))


def _same(path: Path, text: str) -> bool:
    return path.is_file() and path.read_text(encoding="utf-8") == text


@schema_app.command("export")
def export(
    out: Annotated[Path, typer.Option(help="The folder to write the schemas into.")] = DEFAULT_FOLDER,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; fail if the folder is out of date.")] = False,
) -> None:
    """Write the JSON Schemas of the envelope, the transcript entry and every registered message (with versions)."""
    if check:
        differing = drift(out)
        if differing:
            console.print(f"[red]{out} is out of date:[/red] {', '.join(differing)}; run `switchboard schema export`")
            raise typer.Exit(1)
        console.print(f"{out}: up to date")
        return
    out.mkdir(parents=True, exist_ok=True)
    wanted = export_schemas()
    for old in out.glob("*.json"):
        if old.name not in wanted:
            old.unlink()  # a message that is gone takes its schema with it (git keeps the history)
    for name, text in wanted.items():
        (out / name).write_text(text, encoding="utf-8")
    console.print(f"wrote {len(wanted)} schema files to {out}")
