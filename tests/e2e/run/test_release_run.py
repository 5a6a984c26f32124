"""The release desk through `switchboard run`'s default serverless path, answering its approval on stdin."""

from __future__ import annotations

from tests.support.cli import run_switchboard


def test_the_release_desk_pauses_in_cosmos_and_resumes_on_the_terminal_answer() -> None:
    args = ["run", "Publish the 1.4 release note", "--team", "agents.registry:RELEASE_TEAM", "--model", "scripted"]
    done = run_switchboard(*args, stdin="y\n")
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "posted to Service Bus queue 'tasks' as run" in out
    # The question comes from the run document while the run is awaiting_input; the answer resumed it.
    order = [out.index(text) for text in ("─ drafter", "─ checker", "publisher wants to call", "─ publisher")]
    assert order == sorted(order)
    assert "published release note 1.4" in out
    assert "completed: 'publisher' answered" in out
