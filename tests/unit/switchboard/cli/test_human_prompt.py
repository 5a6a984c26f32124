"""The terminal's answer to `approve? [y/N]`: y, yes and the prompt's own word approve; anything else denies."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from switchboard.cli.human_prompt import TerminalPrompter, approves


@pytest.mark.parametrize(("answer", "approved"), [("y", True), (" Yes ", True), ("approve", True), ("APPROVED", True)])
def test_approving_answers(answer: str, approved: bool) -> None:
    assert approves(answer) is approved


@pytest.mark.parametrize("answer", ["", "n", "no", "deny", "approve later?", None])
def test_everything_else_denies(answer: str | None) -> None:
    assert approves(answer) is False


async def test_a_hosted_approval_typed_as_approve_is_sent_as_approve_true(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("builtins.input", lambda *_: "approve")
    prompter = TerminalPrompter(Console(file=io.StringIO()))
    body = await prompter.answer_hosted("run-1", {"kind": "approval", "prompt": "publish?", "agent": "publisher"})
    assert body == {"approve": True}


async def test_without_stdin_the_printed_reply_command_names_the_runs_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def closed(*_: object) -> str:
        raise EOFError

    monkeypatch.setattr("builtins.input", closed)
    out = io.StringIO()
    settings = tmp_path / "local.settings.json"
    prompter = TerminalPrompter(Console(file=out, width=60), settings_file=settings)
    body = await prompter.answer_hosted("run-1", {"kind": "approval", "prompt": "publish?", "agent": "publisher"})
    assert body is None
    assert f"switchboard runs reply run-1 --approve | --deny --settings {settings}\n" in out.getvalue()
