"""The terminal's answer to `approve? [y/N]`: y, yes and the prompt's own word approve; anything else denies."""

from __future__ import annotations

import io

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
