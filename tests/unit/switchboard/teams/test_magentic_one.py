"""MagenticOneGroupChat: ledgers, instructions, final answer, stalls and replanning, max_turns, bad ledgers,
orchestrator tokens in usage and budgets; in-process and through the hosted processor."""

from __future__ import annotations

import json
from typing import Any

import pytest

from switchboard.runtime import InMemoryStateStore
from switchboard.teams import MagenticOneGroupChat
from switchboard.teams.magentic_one import MAX_ROUNDS_REASON, LedgerError
from switchboard.teams.magentic_state import MagenticOneState
from switchboard.termination import TokenUsageTermination
from tests.support.hosted_teams import RUN, run_hosted
from tests.support.teams import assistants, scripted, text

ORCHESTRATOR = "magentic"


def ledger(
    speaker: str = "coder",
    instruction: str = "do it",
    *,
    done: bool = False,
    progress: bool = True,
    loop: bool = False,
) -> dict[str, Any]:
    """One progress-ledger reply of the orchestrator's model."""
    body = {
        "is_request_satisfied": {"reason": "all done" if done else "not yet", "answer": done},
        "is_progress_being_made": {"reason": "r", "answer": progress},
        "is_in_loop": {"reason": "r", "answer": loop},
        "next_speaker": {"reason": "r", "answer": speaker},
        "instruction_or_question": {"reason": "r", "answer": instruction},
    }
    return {"content": json.dumps(body), "usage": {"prompt_tokens": 100, "completion_tokens": 10}}


def said(content: str) -> dict[str, Any]:
    return {"content": content, "usage": {"prompt_tokens": 100, "completion_tokens": 10}}


def team(orchestrator: list[dict[str, Any]], **options: Any) -> MagenticOneGroupChat:
    model = scripted(
        {
            ORCHESTRATOR: orchestrator,
            "researcher": text("found it", "found more", tokens=5),
            "coder": text("coded it", "coded more", tokens=5),
        }
    )
    return MagenticOneGroupChat(assistants(model, "researcher", "coder"), model, **options)


async def test_the_orchestrator_plans_instructs_and_answers() -> None:
    flow = team(
        [
            said("FACTS"),
            said("PLAN"),
            ledger("researcher", "find the date"),
            ledger("coder", "write the entry"),
            ledger(done=True),
            said("the final answer"),
        ]
    )
    store = InMemoryStateStore()
    result = await flow.run("write a changelog", store=store)
    assert [(e.source, e.content) for e in result.transcript[2:]] == [
        (ORCHESTRATOR, "find the date"),
        ("researcher", "found it"),
        (ORCHESTRATOR, "write the entry"),
        ("coder", "coded it"),
        (ORCHESTRATOR, "the final answer"),
    ]
    ledger_entry = result.transcript[1]
    assert ledger_entry.source == ORCHESTRATOR
    assert "FACTS" in ledger_entry.content
    assert "PLAN" in ledger_entry.content
    assert "researcher: researcher role" in ledger_entry.content
    assert result.stop_reason == "all done"
    # Six orchestrator calls, each counted in the run's usage under the team's name.
    assert result.usage[ORCHESTRATOR].prompt_tokens == 600
    state = await store.load(ORCHESTRATOR, result.run_id)
    assert state is not None
    saved = MagenticOneState.model_validate(state.data)
    assert (saved.task, saved.facts, saved.plan, saved.n_rounds, saved.n_stalls) == (
        "write a changelog",
        "FACTS",
        "PLAN",
        3,
        0,
    )


async def test_stalls_update_the_ledger_and_replan() -> None:
    flow = team(
        [
            said("FACTS"),
            said("PLAN"),
            ledger("researcher", "look", progress=False),
            ledger("researcher", "look again", loop=True),
            said("NEW FACTS"),
            said("NEW PLAN"),
            ledger("coder", "just code it"),
            ledger(done=True),
            said("answer"),
        ],
        max_stalls=2,
    )
    store = InMemoryStateStore()
    result = await flow.run("task", store=store)
    assert result.speakers() == [
        "user",
        ORCHESTRATOR,  # ledger
        ORCHESTRATOR,  # look
        "researcher",
        ORCHESTRATOR,  # new ledger after two stalls
        ORCHESTRATOR,  # just code it
        "coder",
        ORCHESTRATOR,  # answer
    ]
    assert "NEW PLAN" in result.transcript[4].content
    state = await store.load(ORCHESTRATOR, result.run_id)
    assert state is not None
    saved = MagenticOneState.model_validate(state.data)
    assert saved.replans == 1
    assert saved.thread_start == 4
    assert saved.plan == "NEW PLAN"
    # The replanning calls saw the conversation: the update prompt follows the thread.
    assert result.usage[ORCHESTRATOR].prompt_tokens == 900


async def test_max_turns_asks_for_the_final_answer() -> None:
    flow = team(
        [said("F"), said("P"), ledger("researcher"), ledger("coder"), said("best effort")],
        max_turns=1,
    )
    result = await flow.run("task")
    assert result.speakers() == ["user", ORCHESTRATOR, ORCHESTRATOR, "researcher", ORCHESTRATOR, "coder", ORCHESTRATOR]
    assert result.final.content == "best effort"
    assert result.stop_reason == MAX_ROUNDS_REASON


async def test_a_bad_ledger_is_asked_again_and_too_many_fail_the_run() -> None:
    flow = team(
        [said("F"), said("P"), said("not json"), ledger("nobody"), ledger("coder"), ledger(done=True), said("ok")]
    )
    result = await flow.run("task")
    assert result.speakers() == ["user", ORCHESTRATOR, ORCHESTRATOR, "coder", ORCHESTRATOR]

    failing = MagenticOneGroupChat(
        assistants(scripted({ORCHESTRATOR: [said("F"), said("P"), said("?"), said("??")]}), "coder"),
        scripted({ORCHESTRATOR: [said("F"), said("P"), said("?"), said("??")]}),
    )
    failing.manager.max_json_retries = 2  # type: ignore[attr-defined]
    with pytest.raises(LedgerError, match="no valid progress ledger after 2 attempts"):
        await failing.run("task")


async def test_a_token_budget_counts_the_orchestrators_own_calls() -> None:
    flow = team(
        [said("F"), said("P"), ledger("researcher"), ledger("coder")],
        termination=TokenUsageTermination(max_total_token=300),
    )
    result = await flow.run("task")
    # Facts, plan and the first ledger are 330 tokens: the budget stops the run before anyone is asked.
    assert result.speakers() == ["user", ORCHESTRATOR, ORCHESTRATOR]
    assert "token" in result.stop_reason.lower()
    assert result.total_usage.total_tokens == 330


async def test_hosted_magentic_one_runs_through_the_processor() -> None:
    flow = team([said("F"), said("P"), ledger("coder", "code"), ledger(done=True), said("shipped")])
    store, bus = await run_hosted(flow, "build it")
    run = await store.read_run(RUN)
    assert run is not None
    assert run["status"] == "completed"
    assert run["stop_reason"] == "all done"
    assert run["usage"][ORCHESTRATOR]["prompt_tokens"] == 500
    entries = await store.read(RUN, 0)
    assert [e["source"] for e in entries] == ["user", ORCHESTRATOR, ORCHESTRATOR, "coder", ORCHESTRATOR]
    assert entries[-1]["content"] == "shipped"
    assert bus.statuses == ["queued", "running", "completed"]


async def test_a_failed_orchestrator_hop_replays_its_finished_calls_when_retried() -> None:
    from switchboard.models.errors import ModelError
    from switchboard.protocol import TEAM_MESSAGES, TaskSubmitted
    from switchboard.runtime import InProcessRuntime

    model = scripted(
        {
            ORCHESTRATOR: [
                said("F"),
                said("P"),
                {"error": {"status": 400, "message": "bad gateway day"}},
                ledger("coder"),
                ledger(done=True),
                said("done"),
            ],
            "researcher": text("r"),
            "coder": text("c"),
        }
    )
    flow = MagenticOneGroupChat(assistants(model, "researcher", "coder"), model)
    runtime = InProcessRuntime(flow.agents(), extra_messages=TEAM_MESSAGES)
    runtime.send(TaskSubmitted(task="t"), to=ORCHESTRATOR, run_id="r")
    with pytest.raises(ModelError):
        await runtime.step()
    await runtime.run_until_idle()  # the same message again: facts and plan come from the journal
    assert model.requests_for("r", ORCHESTRATOR, 0) == 1
    assert model.requests_for("r", ORCHESTRATOR, 1) == 1
    assert model.requests_for("r", ORCHESTRATOR, 2) == 2
    state = await runtime.state_of(ORCHESTRATOR, "r")
    assert isinstance(state, MagenticOneState)
    assert state.stop_reason == "all done"
    assert state.usage[ORCHESTRATOR].prompt_tokens == 500
