"""Which open question `switchboard runs reply` answers when a run has several (parallel branches each asking).

`--request R` names it. Without it, the only open question is answered; with several, the person at the terminal
picks one from a numbered list, and a script (stdin closed) gets an error that lists the request ids to pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape

from switchboard.hosting.input_reply import InputReplyError, describe


def show_questions(console: Console, run_id: str, questions: Mapping[str, Mapping[str, Any]]) -> None:
    """Print each open question with the `switchboard runs reply` command that answers it."""
    for request_id, question in questions.items():
        how = "--approve | --deny" if question.get("kind") == "approval" else '"your answer"'
        if len(questions) > 1:
            how += f" --request {request_id}"
        console.print(f"[yellow]{question.get('agent')} asks:[/] {escape(str(question.get('prompt') or ''))}")
        console.print(f"  switchboard runs reply {run_id} {how}", soft_wrap=True)


def choose_question(console: Console, run_id: str, questions: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The request id to answer: None when at most one is open (the server picks it), else the person's choice.

    Raises:
        InputReplyError: Several are open and nobody at the terminal chose one.
    """
    if len(questions) <= 1:
        return None
    ids = list(questions)
    console.print(f"run {run_id} waits for {len(ids)} questions:")
    for number, question in enumerate(questions.values(), 1):
        console.print(f"  {number}. {escape(describe(question))}: {escape(str(question.get('prompt') or ''))}")
    try:
        choice = console.input(f"which one? [1-{len(ids)}]> ").strip()
    except EOFError:
        choice = ""
    if choice.isdigit() and 1 <= int(choice) <= len(ids):
        return ids[int(choice) - 1]
    if choice in questions:
        return choice
    listed = ", ".join(ids)
    raise InputReplyError(f"run {run_id} waits for {len(ids)} questions: name one with --request ({listed})")
