"""`switchboard submit` applies the door's rules before it opens any connection: a task one message cannot carry,
a malformed idempotency key, and a long unknown team are refused with a short reason (exit 2), nothing sent."""

from __future__ import annotations

from typer.testing import CliRunner

from switchboard.cli.app import app
from switchboard.hosting.ingress_rules import MAX_TASK_BYTES

# No settings file exists here: a command that got as far as connecting would fail differently.
NOWHERE = ["--settings", "no-such-local.settings.json"]


def _flat(output: str) -> str:
    return " ".join(output.replace("│", " ").split())


def test_a_task_past_one_message_is_refused_with_the_limit() -> None:
    result = CliRunner().invoke(app, ["submit", "x" * 300_000, *NOWHERE])
    assert result.exit_code == 2
    assert f"the limit is {MAX_TASK_BYTES} bytes" in _flat(result.output)
    assert len(result.output) < 2_000


def test_a_malformed_idempotency_key_is_refused() -> None:
    result = CliRunner().invoke(app, ["submit", "hello", "--idempotency-key", "has spaces", *NOWHERE])
    assert result.exit_code == 2
    assert "Idempotency-Key" in _flat(result.output)


def test_a_long_unknown_team_is_quoted_by_prefix() -> None:
    result = CliRunner().invoke(app, ["submit", "hello", "--team", "t" * 10_000, *NOWHERE])
    assert result.exit_code == 2
    assert "10000 characters" in _flat(result.output)
    assert len(result.output) < 2_000
