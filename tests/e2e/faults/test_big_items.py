"""Big items through real processes: a run whose agent states and transcript each pass Cosmos's 2 MB item limit
(a tool returning 1.5 MB, twice; long answers) completes, its items are chunked in Cosmos, and the run view returns
every entry whole. The Cosmos emulator refuses an item or a request over 2 MB (413), as Azure does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchboard.state.chunking import chunk_ids, encoded_size, is_chunked, reassemble
from tests.support.hosted_runs import make_stack, post, runs_container, start, wait_run_ended
from tests.support.processes import REPO_ROOT
from tests.support.stack import Stack, load_app_module, scrub_env

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

APP = REPO_ROOT / "tests" / "e2e" / "faults" / "big_items_app"
ROUNDS = 12
ANSWER = 180_000  # one writer answer: a Service Bus message still carries it (256 KB); twelve pass 2 MB


def writer_answer(n: int) -> str:
    return f"part {n}: " + "w" * ANSWER


def script() -> dict[str, Any]:
    collector: list[dict[str, Any]] = []
    for day in (1, 2):
        collector += [
            {"tool_calls": [{"name": "fetch_logs", "arguments": {"day": day}}]},
            {"content": f"day {day}: every request ok"},
        ]
    collector += [{"content": f"note {n}"} for n in range(ROUNDS - 2)]
    return {"agents": {"collector": collector, "writer": [{"content": writer_answer(n)} for n in range(ROUNDS)]}}


@pytest.fixture
def big_stack(tmp_path: Path) -> Iterator[Stack]:
    module = load_app_module(APP / "function_app.py")
    from switchboard.functions.entities import entities_for

    scrub_env()
    script_path = tmp_path / "script.json"
    script_path.write_text(json.dumps(script()))
    stack = make_stack(tmp_path, APP, script_path, entities_for(module.TEAMS))
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def whole(container: Any, item: dict[str, Any]) -> dict[str, Any]:
    chunks = {i: container.read_item(i, partition_key=item["run_id"]) for i in chunk_ids(item)}
    return reassemble(item, chunks)


def test_a_run_past_2_mb_of_state_and_transcript_completes_with_every_item_whole(big_stack: Stack) -> None:
    run_id = start(big_stack, "bigteam", "summarise two days of logs")
    run = wait_run_ended(big_stack, run_id, timeout=240)
    assert run["status"] == "completed", big_stack.logs()

    status, view = post(big_stack, f"/api/runs/{run_id}")
    assert status == 200
    entries = view["transcript"]
    assert [e["source"] for e in entries] == ["user", *["collector", "writer"] * ROUNDS]
    assert [e["content"] for e in entries if e["source"] == "writer"] == [writer_answer(n) for n in range(ROUNDS)]
    assert sum(len(e["content"]) for e in entries) > 2 * 1024 * 1024

    container = runs_container(big_stack)
    stored = {item["id"]: item for item in container.query_items("SELECT * FROM c", partition_key=run_id)}
    # Every item Cosmos holds is under its 2 MB limit; the big ones are heads with their content in chunks.
    assert max(encoded_size(item) for item in stored.values()) < 2 * 1024 * 1024
    # Each assistant keeps the whole conversation: the writer's twelve answers make both states pass 2 MB.
    # (The run ends on the writer's last answer, so the collector never hears that one.)
    for agent, heard in (("collector", ROUNDS - 1), ("writer", ROUNDS)):
        state = stored[f"state:{agent}"]
        assert is_chunked(state)
        history = whole(container, state)["data"]["history"]
        said = [m["content"] for m in history if m["content"].startswith("part ")]
        assert said == [writer_answer(n) for n in range(heard)], agent  # lossless, in order
    # The two tool results (1.5 MB each) are journaled steps, chunked and whole.
    big_steps = [whole(container, item) for item in stored.values() if item.get("type") == "step" and is_chunked(item)]
    assert len(big_steps) == 2
    assert all(len(json.dumps(step["result"])) > 1_500_000 for step in big_steps)
    # No chunk is left that no head refers to (each replaced state version's chunks were removed).
    referenced = {i for item in stored.values() for i in chunk_ids(item)}
    assert {i for i in stored if i.startswith("chunk:")} == referenced
