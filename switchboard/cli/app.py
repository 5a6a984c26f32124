"""The `switchboard` command line (also `python -m switchboard`)."""

from __future__ import annotations

import platform

import typer
from rich.console import Console

import switchboard
from switchboard.cli import (
    dlq_command,
    host_command,
    infra_command,
    resume_command,  # noqa: F401  (registers `runs resume` on runs_app)
    run_command,
    runs_command,
    schema_command,
    studio_command,
    teams_command,
)

app = typer.Typer(
    name="switchboard",
    help=(
        "Switchboard runs AutoGen-style teams of AI agents, in-process or serverless on Azure "
        "(Service Bus-triggered Functions, state in Cosmos DB, traces in Application Insights).\n\n"
        "Each command's --help explains its options."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
console = Console()


@app.callback()
def _root() -> None:
    """Keep typer in multi-command mode even while only one command is registered."""


@app.command()
def version() -> None:
    """Print the versions of Switchboard and of the Python that runs it."""
    console.print(f"switchboard {switchboard.__version__} (Python {platform.python_version()})")


app.command(name="run")(run_command.run)
app.command(name="host")(host_command.host)
app.add_typer(infra_command.infra_app)
app.command(name="submit")(runs_command.submit)
app.add_typer(runs_command.runs_app)
app.add_typer(dlq_command.dlq_app)
app.add_typer(schema_command.schema_app)
app.add_typer(teams_command.teams_app)
app.command(name="studio")(studio_command.studio)


def main() -> None:
    """Entry point of the `switchboard` console script."""
    app()
