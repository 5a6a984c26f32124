"""`switchboard studio`'s option checks: exactly one of --local and --api, an http(s) URL, a free port."""

from __future__ import annotations

import socket

from typer.testing import CliRunner

from switchboard.cli.app import app

runner = CliRunner()


def test_the_command_is_listed_and_needs_exactly_one_target() -> None:
    assert "studio" in runner.invoke(app, ["--help"]).output
    neither = runner.invoke(app, ["studio"])
    both = runner.invoke(app, ["studio", "--local", "--api", "https://app.example"])
    for result in (neither, both):
        assert result.exit_code == 2
        assert "either --local or --api URL" in result.output


def test_a_bad_url_or_a_busy_port_is_a_clear_error() -> None:
    bad = runner.invoke(app, ["studio", "--api", "app.example", "--key", "k"])
    assert bad.exit_code == 1
    assert "--api must be an http(s) URL" in bad.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = runner.invoke(app, ["studio", "--api", "http://127.0.0.1:9", "--port", str(port)])
    assert taken.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in taken.output
