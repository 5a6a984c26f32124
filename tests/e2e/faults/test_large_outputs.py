"""Answers and tool outputs far past one Service Bus message complete, through real processes.

The Service Bus emulator refuses a message past 256 KB (Standard's limit), as Azure does. A turn request names the
transcript range its speaker has not seen and an answer names the item its sender committed it as, so no message
carries transcript text: three 150 KB answers (450 KB together) and a 1.5 MB tool output (chunked in Cosmos,
past its 2 MB batch together with the state that holds it) complete, every byte in the transcript.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from switchboard.functions.entities import entities_for
from tests.e2e.faults.large_app.function_app import SPEAKERS, TEAMS, TOOL_OUTPUT_BYTES, export_table
from tests.support.hosted_runs import make_stack, post, start, transcript_items, wait_run_ended
from tests.support.stack import Stack, scrub_env

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

LARGE_APP = Path(__file__).parent / "large_app"
ANSWER_BYTES = 150_000


def answer(name: str) -> str:
    return f"{name} says: " + name[0] * ANSWER_BYTES


@pytest.fixture
def large_stack(tmp_path: Path) -> Iterator[Stack]:
    """The large app's stack, every process started; the model's script written here (150 KB answers)."""
    script = {
        "agents": {
            **{name: [{"content": answer(name)}] for name in SPEAKERS},
            "exporter": [{"tool_calls": [{"name": "export_table", "arguments": {"name": "orders"}}]}],
        }
    }
    script_path = tmp_path / "script.json"
    script_path.write_text(json.dumps(script))
    scrub_env()
    stack = make_stack(tmp_path, LARGE_APP, script_path, entities_for(TEAMS))
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def test_150_kb_answers_from_every_agent_and_a_1_5_mb_tool_output_complete(large_stack: Stack) -> None:
    stack = large_stack
    talk = start(stack, "bigteam", "write at length")
    export = start(stack, "toolteam", "export the orders table")

    ended = wait_run_ended(stack, talk)
    assert ended["status"] == "completed", ended.get("error")
    entries = transcript_items(stack, talk)
    assert [(e["source"], e["content"]) for e in entries] == [
        ("user", "write at length"),
        *((name, answer(name)) for name in SPEAKERS),
    ]
    status, view = post(stack, f"/api/runs/{talk}")
    assert status == 200
    assert sum(len(e["content"]) for e in view["transcript"]) > 3 * ANSWER_BYTES

    ended = wait_run_ended(stack, export)
    assert ended["status"] == "completed", ended.get("error")
    status, view = post(stack, f"/api/runs/{export}")
    assert status == 200
    summary = view["transcript"][1]
    assert summary["source"] == "exporter"
    assert summary["kind"] == "tool_summary"
    assert summary["content"] == export_table("orders")
    assert len(summary["content"]) > TOOL_OUTPUT_BYTES - 100
