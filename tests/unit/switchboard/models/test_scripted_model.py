from __future__ import annotations

import json
from pathlib import Path

import pytest

from switchboard.models.chat import ModelRequest, UserMessage
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
