"""A model per agent, hosted: the product's Function App under `switchboard host` with the reviewer on a second
scripted model (`MODEL__REVIEWER__OPENAI_MODEL` as an app setting), the run posted over HTTP and read back with its
usage naming both models with the right token counts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from switchboard.cli.run_render import print_outcome
from tests.support.hosted_runs import DEMO_SCRIPT, make_stack, post
from tests.support.stack import Stack, repo_script_root, scrub_env
from tests.support.two_models import (
    MODEL_ENV,
    REVIEWER_COMPLETION_TOKENS,
    REVIEWER_MODEL,
    REVIEWER_PROMPT_TOKENS,
    TEAM_MODEL,
    server_args,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def two_model_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from agents.registry import TEAMS
    from switchboard.functions.entities import entities_for

    scrub_env()
    root = tmp_path_factory.mktemp("two-models")
    stack = make_stack(root, repo_script_root(), DEMO_SCRIPT, entities_for(TEAMS))
    stack.model_args = server_args(root)
    stack.extra_env = dict(MODEL_ENV)
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


async def _finished_view(stack: Stack, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while True:
        status, view = post(stack, f"/api/runs/{run_id}")
        assert status == 200, view
        if view["status"] in ("completed", "failed") or time.monotonic() > deadline:
            return dict(view)
        await asyncio.sleep(0.3)


async def test_a_hosted_run_puts_two_agents_on_two_scripted_models(two_model_stack: Stack) -> None:
    status, body = post(two_model_stack, "/api/runs", {"task": "Explain the outbox", "team": "research"})
    assert status == 202, body
    view = await _finished_view(two_model_stack, body["run_id"])
    assert view["status"] == "completed", f"{view}\n{two_model_stack.logs()}"
    usage = view["usage"]
    assert {agent: spent.get("model") for agent, spent in usage.items()} == {
        "planner": TEAM_MODEL,
        "researcher": TEAM_MODEL,
        "writer": TEAM_MODEL,
        "reviewer": REVIEWER_MODEL,
    }
    assert (usage["reviewer"]["prompt_tokens"], usage["reviewer"]["completion_tokens"]) == (
        REVIEWER_PROMPT_TOKENS,
        REVIEWER_COMPLETION_TOKENS,
    )
    # The transcript says which model answered each turn.
    assert {e["model"] for e in view["transcript"] if e["source"] == "reviewer"} == {REVIEWER_MODEL}
    assert {e["model"] for e in view["transcript"] if e["source"] == "writer"} == {TEAM_MODEL}


async def test_the_cli_token_table_of_a_hosted_run_names_each_agents_model(two_model_stack: Stack) -> None:
    from rich.console import Console

    status, body = post(two_model_stack, "/api/runs", {"task": "Explain the inbox", "team": "research"})
    assert status == 202, body
    view = await _finished_view(two_model_stack, body["run_id"])
    console = Console(record=True, width=160)
    print_outcome(console, view, "writer")
    cells = [[cell.strip() for cell in line.split("│")[1:-1]] for line in console.export_text().splitlines()]
    rows = {row[0]: row[1:] for row in cells if len(row) == 5}
    assert rows["reviewer"] == [
        str(REVIEWER_PROMPT_TOKENS),
        str(REVIEWER_COMPLETION_TOKENS),
        str(REVIEWER_PROMPT_TOKENS + REVIEWER_COMPLETION_TOKENS),
        REVIEWER_MODEL,
    ]
    assert rows["planner"][-1] == TEAM_MODEL
