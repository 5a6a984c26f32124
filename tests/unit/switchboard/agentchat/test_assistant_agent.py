from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from switchboard.agentchat import AssistantAgent, AssistantState, BufferedModelContext
from switchboard.models.chat import AssistantMessage, SystemMessage, ToolResultMessage, UserMessage
from switchboard.models.errors import StructuredOutputError
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.protocol.messages import TEAM_MESSAGES, TurnCompleted, TurnRequested
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.testing import AgentHarness
from switchboard.tools import FunctionTool


class Verdict(BaseModel):
    approved: bool
    comments: str


def lookup(topic: str) -> str:
    """Look a topic up.

    Args:
        topic: What to look up.
    """
    return f"notes on {topic}"


def _model(entries: list[dict[str, Any]], agent: str = "helper") -> ScriptedModelClient:
    return ScriptedModelClient(Script.model_validate({"agents": {agent: entries}}))


def _ask(*texts: str, turn: int = 0) -> TurnRequested:
    entries = tuple(TranscriptEntry(source="user", content=t, kind="task") for t in texts)
    return TurnRequested(team="team", turn=turn, new_messages=entries)


async def _turn(agent: AssistantAgent, *requests: TurnRequested) -> tuple[list[TurnCompleted], AgentHarness]:
    harness = AgentHarness([agent], extra_messages=TEAM_MESSAGES)
    for request in requests:
        harness.send(request, to=agent.name)
    await harness.run()
    return harness.emitted(TurnCompleted), harness


async def test_tool_loop_runs_the_tool_and_feeds_the_result_back() -> None:
    model = _model(
        [
            {"tool_calls": [{"name": "lookup", "arguments": {"topic": "actors"}}]},
            {"content": "Actors keep state."},
        ]
    )
    agent = AssistantAgent("helper", model_client=model, tools=[FunctionTool(lookup)], tool_choice="lookup")
    (done,), _ = await _turn(agent, _ask("explain actors"))
    assert done.answer.content == "Actors keep state."
    assert done.answer.tool_calls == ("lookup",)
    first, second = model.requests
    assert first.tool_choice == "lookup"
    assert [t.name for t in first.tools] == ["lookup"]
    assert second.tools == ()  # max_tool_iterations=1: the answer comes from a call without tools
    result = second.messages[-1]
    assert isinstance(result, ToolResultMessage)
    assert result.content == "notes on actors"
    assert done.answer.usage.total_tokens > 0


async def test_tool_loop_is_bounded_by_max_tool_iterations() -> None:
    again = {"tool_calls": [{"name": "lookup", "arguments": {"topic": "more"}}]}
    model = _model([again, again, {"content": "enough"}])
    agent = AssistantAgent("helper", model_client=model, tools=[FunctionTool(lookup)], max_tool_iterations=2)
    (done,), _ = await _turn(agent, _ask("dig"))
    assert done.answer.tool_calls == ("lookup", "lookup")
    assert [bool(r.tools) for r in model.requests] == [True, True, False]
    assert done.answer.content == "enough"


async def test_bad_tool_arguments_go_back_to_the_model() -> None:
    model = _model([{"tool_calls": [{"name": "lookup", "arguments": {"subject": "x"}}]}, {"content": "sorry"}])
    agent = AssistantAgent("helper", model_client=model, tools=[FunctionTool(lookup)])
    await _turn(agent, _ask("q"))
    result = model.requests[1].messages[-1]
    assert isinstance(result, ToolResultMessage)
    assert result.is_error
    assert "topic" in result.content


async def test_structured_output_is_validated_and_rendered() -> None:
    model = _model([{"structured": {"approved": True, "comments": "ship it"}}])
    agent = AssistantAgent(
        "helper",
        model_client=model,
        output_type=Verdict,
        render=lambda v: ("APPROVED: " if v.approved else "REVISE: ") + v.comments,
    )
    (done,), _ = await _turn(agent, _ask("review"))
    assert done.answer.kind == "structured"
    assert done.answer.data == {"approved": True, "comments": "ship it"}
    assert done.answer.content == "APPROVED: ship it"
    fmt = model.requests[0].response_format
    assert fmt is not None
    assert fmt.name == "Verdict"
    assert fmt.json_schema["required"] == ["approved", "comments"]


async def test_invalid_structured_output_gets_one_repair_then_fails() -> None:
    repaired = _model([{"content": "not json"}, {"structured": {"approved": False, "comments": "no"}}])
    agent = AssistantAgent("helper", model_client=repaired, output_type=Verdict)
    (done,), _ = await _turn(agent, _ask("review"))
    assert json.loads(done.answer.content) == {"approved": False, "comments": "no"}
    hint = repaired.requests[1].messages[-1]
    assert isinstance(hint, UserMessage)
    assert "Verdict" in hint.content

    broken = _model([{"content": "nope"}, {"content": "still nope"}])
    with pytest.raises(StructuredOutputError):
        await _turn(AssistantAgent("helper", model_client=broken, output_type=Verdict), _ask("review"))


async def test_history_is_windowed_in_requests_and_in_state() -> None:
    model = _model([{"content": f"answer {i}"} for i in range(3)])
    agent = AssistantAgent(
        "helper", model_client=model, system_message="Be brief.", model_context=BufferedModelContext(3)
    )
    _, harness = await _turn(agent, _ask("q0", turn=0), _ask("q1", turn=1), _ask("q2a", "q2b", turn=2))
    last = model.requests[-1].messages
    assert last[0] == SystemMessage(content="Be brief.")
    assert [m.content for m in last[1:]] == ["answer 1", "q2a", "q2b"]
    state = await harness.state("helper", AssistantState)
    assert state.turns == 3
    assert len(state.history) == 3
    assert state.history[-1] == AssistantMessage(content="answer 2", source="helper")


async def test_a_cancelled_run_makes_no_further_model_calls() -> None:
    from switchboard.agent import CancellationToken
    from switchboard.errors import CancelledError

    model = _model([{"tool_calls": [{"name": "lookup", "arguments": {"topic": "x"}}]}, {"content": "never"}])
    token = CancellationToken()

    def cancelling_lookup(topic: str) -> str:
        """Look up, then the user cancels."""
        token.cancel()
        return topic

    agent = AssistantAgent("helper", model_client=model, tools=[FunctionTool(cancelling_lookup, name="lookup")])
    with pytest.raises(CancelledError):
        await agent.respond([UserMessage(content="q")], cancellation=token)
    assert len(model.requests) == 1
