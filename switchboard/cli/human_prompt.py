"""How `switchboard run` asks the person at the terminal when a run waits for input or an approval.

In-process the answers go back through `GroupChat.run`'s callbacks; on the serverless path the run is
`awaiting_input` in Cosmos DB, so the answer is sent exactly as `switchboard runs reply` sends it. When stdin has
nothing to read (closed, or not a terminal in a script), the serverless path prints the `switchboard runs reply`
command to answer from elsewhere and keeps following the run; in-process, an approval is then denied and a
question answered with an empty text.
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.status import Status
from rich.text import Text

from switchboard.protocol.input_messages import InputRequested

APPROVALS = frozenset({"y", "yes", "approve", "approved"})
"""Answers that approve a tool call; anything else (an empty line, a closed stdin) denies it."""


def approves(answer: str | None) -> bool:
    """Whether the person's answer to `approve? [y/N]` approves (the prompt's own word counts too)."""
    return (answer or "").strip().lower() in APPROVALS


class TerminalPrompter:
    """Asks on the console, pausing the live status spinner while the person types."""

    def __init__(self, console: Console, status: Status | None = None, *, settings_file: Path | None = None) -> None:
        """Ask on `console`; stop `status` (if any) while asking.

        Args:
            console: Where to ask.
            status: A live status to pause while the person types.
            settings_file: The settings `switchboard runs reply` needs to reach this run's stack (named in the
                printed command when it is not the default `local.settings.json`).
        """
        self.console = console
        self.status = status
        self.settings_file = settings_file

    def ask_text(self, prompt: str) -> str:
        """A user proxy's question: the team's latest message, then the person's answer (empty on EOF)."""
        answer = self._ask(prompt, "your answer> ")
        return answer or ""

    def ask_approval(self, question: InputRequested) -> bool:
        """A tool approval: True only for an explicit yes (a closed stdin denies)."""
        return approves(self._ask(question.prompt, "approve? [y/N]> "))

    async def answer_hosted(self, run_id: str, pending: Mapping[str, Any]) -> dict[str, Any] | None:
        """The reply body for one of a hosted run's open questions, or None when nobody can answer here."""
        kind = pending.get("kind")
        hint = "approve? [y/N]> " if kind == "approval" else "your answer> "
        answer = await asyncio.to_thread(self._ask, str(pending.get("prompt") or ""), hint)
        if answer is None:
            how = "--approve | --deny" if kind == "approval" else '"your answer"'
            if pending.get("request_id"):  # other questions of the run may be open: name this one
                how += f" --request {pending['request_id']}"
            if self.settings_file is not None:
                how += f" --settings {shlex.quote(str(self.settings_file))}"
            self.console.print(
                f"[yellow]run {run_id} waits for {pending.get('agent')}: answer with[/]\n"
                f"  switchboard runs reply {run_id} {escape(how)}\n"
                f"[dim]or POST /api/runs/{run_id}/input; still following the run…[/]",
                soft_wrap=True,  # a command to copy: never broken across lines
            )
            return None
        request = {"request_id": pending["request_id"]} if pending.get("request_id") else {}
        if kind == "approval":
            return {"approve": approves(answer), **request}
        return {"input": answer, **request}

    def _ask(self, prompt: str, hint: str) -> str | None:
        if self.status is not None:
            self.status.stop()
        try:
            # The question quotes model output: print it as text, never as markup.
            self.console.print(Panel(Text(prompt), title="[bold yellow]input needed[/]", title_align="left"))
            return self.console.input(escape(hint))
        except EOFError:
            return None
        finally:
            if self.status is not None:
                self.status.start()
