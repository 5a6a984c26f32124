"""`switchboard dlq list|show|replay`: the dead-letter queues of the deployment's queues.

Bad input is dead-lettered at once with the error class as reason; transient failures land here after
maxDeliveryCount deliveries. `replay` sends messages back to their queue (a new MessageId, the original kept in
the `replay_of` property) once the cause is fixed.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from switchboard.cli.hosted_settings import DEFAULT_SETTINGS_FILE, SettingsFileOption, load_settings
from switchboard.cli.infra_command import load_teams
from switchboard.cli.run_client import dead_letters
from switchboard.cli.runs_command import RegistryOption, run_async
from switchboard.cli.team_choice import DEFAULT_REGISTRY
from switchboard.hosting.ingress_rules import preview
from switchboard.transport import DeadLetter

dlq_app = typer.Typer(name="dlq", help="Dead-lettered messages per queue: list, show, replay.", no_args_is_help=True)


def _queues(queue: str | None, registry: str) -> list[str]:
    if queue is not None:
        return [queue]
    from switchboard.functions.entities import entities_for

    return [q.name for q in entities_for(load_teams(registry)).service_bus.queues]


@dlq_app.command("list")
def list_dead_letters(
    queue: Annotated[str | None, typer.Option(help="Only this queue (default: every queue of the registry).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many messages per queue.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print the messages as JSON.")] = False,
    settings_file: SettingsFileOption = DEFAULT_SETTINGS_FILE,
    registry: RegistryOption = DEFAULT_REGISTRY,
) -> None:
    """List dead-lettered messages (peeked: nothing is locked or removed)."""
    console = Console()
    queues = _queues(queue, registry)

    async def work() -> list[DeadLetter]:
        async with dead_letters(load_settings(settings_file)) as letters:
            # Concurrently: opening and closing each queue's receiver link is the slow part.
            per_queue = await asyncio.gather(*(letters.peek(name, limit=limit) for name in queues))
            return [letter for letters_of_queue in per_queue for letter in letters_of_queue]

    found = run_async(console, work)
    if as_json:
        typer.echo(json.dumps([letter.to_json() for letter in found], indent=2))
        return
    table = Table(
        title=f"{len(found)} dead-lettered in {', '.join(queues)}", title_justify="left", box=None, header_style="bold"
    )
    for column in ("queue", "message id", "reason", "deliveries", "enqueued"):
        table.add_column(column, no_wrap=True)
    table.add_column("description", overflow="fold")
    for letter in found:
        enqueued = letter.enqueued_at.isoformat(timespec="minutes")[:16].replace("T", " ") if letter.enqueued_at else ""
        table.add_row(
            letter.queue,
            letter.message_id,
            letter.reason or "",
            str(letter.delivery_count),
            enqueued,
            letter.description or "",
        )
    console.print(table)


@dlq_app.command("show")
def show_dead_letter(
    queue: Annotated[str, typer.Argument(help="The queue.")],
    message_id: Annotated[str, typer.Argument(help="The dead-lettered message's MessageId.")],
    settings_file: SettingsFileOption = DEFAULT_SETTINGS_FILE,
) -> None:
    """Print one dead-lettered message as JSON: reason, description, properties and body."""
    console = Console()

    async def work() -> DeadLetter | None:
        async with dead_letters(load_settings(settings_file)) as letters:
            return await letters.show(queue, message_id)

    letter = run_async(console, work)
    if letter is None:
        console.print(f"[bold red]error:[/] no dead-lettered message {preview(message_id)} in {preview(queue)}")
        raise typer.Exit(1)
    typer.echo(json.dumps(letter.to_json(), indent=2))


@dlq_app.command("replay")
def replay_dead_letters(
    queue: Annotated[str, typer.Argument(help="The queue.")],
    message_ids: Annotated[list[str] | None, typer.Argument(help="MessageIds to replay.")] = None,
    replay_all: Annotated[bool, typer.Option("--all", help="Replay every dead-lettered message of QUEUE.")] = False,
    settings_file: SettingsFileOption = DEFAULT_SETTINGS_FILE,
) -> None:
    """Send dead-lettered messages back to QUEUE (name them, or pass --all)."""
    console = Console()
    if not message_ids and not replay_all:
        raise typer.BadParameter("name the MessageIds to replay, or pass --all", param_hint="MESSAGE_IDS")
    wanted = None if replay_all else list(message_ids or [])

    async def work() -> list[str]:
        async with dead_letters(load_settings(settings_file)) as letters:
            return await letters.replay(queue, wanted)

    replayed = run_async(console, work)
    missing = sorted(set(wanted or []) - set(replayed))
    console.print(f"replayed {len(replayed)} message(s) to {queue}" + (f": {', '.join(replayed)}" if replayed else ""))
    if missing:
        console.print(f"[bold red]not found in the dead-letter queue:[/] {', '.join(missing)}")
        raise typer.Exit(1)
