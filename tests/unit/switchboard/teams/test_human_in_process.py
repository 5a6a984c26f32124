"""In-process runs with a person in the loop and cancellation, through `GroupChat.run`'s callbacks."""

from __future__ import annotations

import asyncio

import pytest

from switchboard.agent import CancellationToken
from switchboard.agentchat import AssistantAgent, UserProxyAgent
from switchboard.errors import CancelledError
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.teams import RoundRobinGroupChat
from switchboard.termination import MaxMessageTermination, TextMentionTermination
from switchboard.tools import FunctionTool


def writer(script: list[dict[str, object]], tools: list[FunctionTool] | None = None) -> AssistantAgent:
    model = ScriptedModelClient(Script.model_validate({"agents": {"writer": script}}))
    return AssistantAgent("writer", model_client=model, tools=tools or [])


async def test_a_user_proxy_takes_its_turn_through_input_func_like_autogen() -> None:
    prompts: list[str] = []

    def answer(prompt: str) -> str:
        prompts.append(prompt)
        return "APPROVE, thanks"

    editor = UserProxyAgent("editor", input_func=answer)
    team = RoundRobinGroupChat(
        [writer([{"content": "draft one"}]), editor], termination=TextMentionTermination("APPROVE"), name="desk"
    )
    result = await team.run("write")
    assert [(e.source, e.content) for e in result.transcript][1:] == [
        ("writer", "draft one"),
        ("editor", "APPROVE, thanks"),
    ]
    assert prompts == ["writer: draft one\n> "]


async def test_run_input_func_overrides_the_proxy_and_may_be_async() -> None:
    async def answer(prompt: str) -> str:
        return "APPROVE from run"

    editor = UserProxyAgent("editor", input_func=lambda prompt: "from the proxy")
    team = RoundRobinGroupChat([writer([{"content": "d"}]), editor], termination=TextMentionTermination("APPROVE"))
    result = await team.run("write", input_func=answer)
    assert result.final.content == "APPROVE from run"


async def test_an_unanswered_user_proxy_stops_the_run_after_its_timeout() -> None:
    async def never(prompt: str) -> str:
        await asyncio.sleep(30)
        return "late"

    editor = UserProxyAgent("editor", timeout=0.05)
    team = RoundRobinGroupChat([writer([{"content": "d"}]), editor], termination=MaxMessageTermination(5))
    result = await team.run("write", input_func=never)
    assert result.stop_reason == "no input from editor within 0.05 s"
    assert result.speakers() == ["user", "writer"]


async def test_a_cancel_reaches_the_running_tool_and_the_run_raises() -> None:
    token = CancellationToken()
    seen = asyncio.Event()

    async def slow_export(cancellation_token: CancellationToken) -> str:
        """Export everything (slow)."""
        cancellation_token.add_callback(seen.set)
        token.cancel()  # a user cancels while the tool runs
        await asyncio.sleep(30)
        return "exported"

    tool = FunctionTool(slow_export)
    assert "cancellation_token" not in tool.spec.parameters.get("properties", {})
    agent = writer([{"tool_calls": [{"name": "slow_export", "arguments": {}}]}, {"content": "done"}], [tool])
    team = RoundRobinGroupChat([agent], termination=MaxMessageTermination(3))
    with pytest.raises(CancelledError):
        await asyncio.wait_for(team.run("export", cancellation_token=token), 5)
    assert seen.is_set()


async def test_a_cancelled_token_stops_the_run_before_the_next_step() -> None:
    token = CancellationToken()
    entries: list[str] = []

    def on_entry(entry: object) -> None:
        entries.append(getattr(entry, "source", ""))
        if len(entries) == 2:
            token.cancel()

    team = RoundRobinGroupChat([writer([{"content": "one"}, {"content": "two"}])], termination=MaxMessageTermination(5))
    with pytest.raises(CancelledError):
        await team.run("go", on_entry=on_entry, cancellation_token=token)
    assert entries == ["user", "writer"]
