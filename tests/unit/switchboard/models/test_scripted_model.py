from __future__ import annotations

import json
from pathlib import Path

import pytest

from switchboard.models.chat import ModelRequest, ModelStep, UserMessage
from switchboard.models.errors import ScriptExhaustedError, ScriptInvalidError
from switchboard.models.scripted import Script, ScriptedModelClient


def _request(agent: str, text: str = "hi") -> ModelRequest:
    return ModelRequest(messages=(UserMessage(content=text),), agent=agent)


def _script() -> Script:
    return Script.model_validate(
        {
            "agents": {
                "planner": [{"content": "plan"}, {"structured": {"approved": True}}],
                "researcher": [
                    {"tool_calls": [{"name": "search", "arguments": {"query": "q"}}]},
                    {"error": {"status": 429, "retry_after": 0}},
                    {"content": "found", "usage": {"prompt_tokens": 11, "completion_tokens": 3}},
                ],
                "*": [{"content": "anyone"}],
            }
        }
    )


async def test_replays_by_agent_and_turn_and_records_requests() -> None:
    client = ScriptedModelClient(_script())
    first = await client.create(_request("planner", "task"))
    call = await client.create(_request("researcher"))
    second = await client.create(_request("planner"))
    assert first.content == "plan"
    assert call.tool_calls[0].name == "search"
    assert json.loads(call.tool_calls[0].arguments) == {"query": "q"}
    assert call.finish_reason == "tool_calls"
    assert json.loads(second.content or "") == {"approved": True}
    assert [r.agent for r in client.requests] == ["planner", "researcher", "planner"]
    assert client.requests[0].messages[0].content == "task"
    assert first.usage.total_tokens > 0


async def test_scripted_rate_limit_is_retried_and_counts_as_a_turn() -> None:
    client = ScriptedModelClient(_script())
    await client.create(_request("researcher"))
    reply = await client.create(_request("researcher"))
    assert reply.content == "found"
    assert reply.usage.prompt_tokens == 11
    assert client.usage.calls == 2  # the scripted 429 is retried but only successes count
    assert client.usage.by_agent["researcher"].prompt_tokens > 11
    assert client.turns_taken("researcher") == 3
    assert len(client.requests) == 3


async def test_unknown_agents_use_the_wildcard_and_running_out_fails_loudly() -> None:
    client = ScriptedModelClient(_script())
    assert (await client.create(_request("writer"))).content == "anyone"
    with pytest.raises(ScriptExhaustedError) as caught:
        await client.create(_request("writer"))
    assert "writer" in caught.value.reason
    assert not caught.value.retryable


def test_invalid_script_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"agents": {"a": [{"text": "typo key"}]}}))
    with pytest.raises(ScriptInvalidError):
        Script.load(path)


def _step_request(run_id: str, agent: str, index: int) -> ModelRequest:
    return ModelRequest(
        messages=(UserMessage(content="hi"),), agent=agent, step=ModelStep(run_id=run_id, agent=agent, index=index)
    )


async def test_interleaved_runs_each_replay_their_own_script() -> None:
    client = ScriptedModelClient(_script())
    answers = {
        (run, index): await client.create(_step_request(run, "planner", index))
        for run, index in [("r1", 0), ("r2", 0), ("r2", 1), ("r3", 0), ("r1", 1)]
    }
    assert {run: answers[(run, 0)].content for run in ("r1", "r2", "r3")} == {"r1": "plan", "r2": "plan", "r3": "plan"}
    assert (
        json.loads(answers[("r1", 1)].content or "")
        == json.loads(answers[("r2", 1)].content or "")
        == {"approved": True}
    )


async def test_a_step_asked_again_gets_the_same_answer_and_is_counted_each_time() -> None:
    client = ScriptedModelClient(_script())
    first = await client.create(_step_request("run", "researcher", 0))
    again = await client.create(_step_request("run", "researcher", 0))
    assert first == again
    assert first.tool_calls[0].name == "search"
    assert client.requests_for("run", "researcher", 0) == 2
    assert client.requests_for("other", "researcher", 0) == 0


async def test_a_scripted_error_delays_its_steps_answer_and_only_once() -> None:
    client = ScriptedModelClient(_script())
    # Step 1 of the researcher is the 429 then "found": the client's retry gets the answer.
    reply = await client.create(_step_request("run", "researcher", 1))
    assert reply.content == "found"
    assert client.requests_for("run", "researcher", 1) == 2
    # A replay of the step after a crash gets the answer again, not the error.
    assert (await client.create(_step_request("run", "researcher", 1))).content == "found"
    assert client.requests_for("run", "researcher", 1) == 3
    with pytest.raises(ScriptExhaustedError):
        await client.create(_step_request("run", "researcher", 2))


async def test_with_a_step_the_wildcard_list_is_indexed_per_agent() -> None:
    client = ScriptedModelClient(_script())
    assert (await client.create(_step_request("run", "writer", 0))).content == "anyone"
    assert (await client.create(_step_request("run", "editor", 0))).content == "anyone"
    with pytest.raises(ScriptExhaustedError) as caught:
        await client.create(_step_request("run", "writer", 1))
    assert "step 1 of run run" in caught.value.reason
