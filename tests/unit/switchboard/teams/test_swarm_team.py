"""Swarm in-process on the scripted model: handoffs are tool calls, the speaker is whoever was handed to last."""

from __future__ import annotations

import pytest

from switchboard.agentchat import AssistantAgent, Handoff
from switchboard.errors import AgentDefinitionError
from switchboard.teams import HandoffTargetError, Swarm
from switchboard.termination import FunctionCallTermination, HandoffTermination, MaxMessageTermination
from switchboard.tools import FunctionTool
from tests.support.teams import scripted, text


def _handoff(target: str) -> dict[str, object]:
    return {"tool_calls": [{"name": f"transfer_to_{target}", "arguments": {}}]}


def lookup(city: str) -> str:
    """Look up flights.

    Args:
        city: Where to.
    """
    return f"3 flights to {city}"


async def test_handoffs_pass_the_turn_and_a_handoff_to_user_stops_the_run() -> None:
    model = scripted(
        {
            "travel": [_handoff("flights"), {"content": "anything else?"}, _handoff("user")],
            "flights": [
                {"tool_calls": [{"name": "lookup", "arguments": {"city": "Oslo"}}, {"name": "transfer_to_travel"}]}
            ],
        }
    )
    travel = AssistantAgent("travel", model_client=model, handoffs=["flights", "user"])
    flights = AssistantAgent(
        "flights", model_client=model, tools=[FunctionTool(lookup)], handoffs=[Handoff("travel", message="back")]
    )
    team = Swarm([travel, flights], termination=HandoffTermination("user") | MaxMessageTermination(10), name="team")
    result = await team.run("fly me to Oslo", run_id="r")
    assert result.speakers() == ["user", "travel", "flights", "travel", "travel"]
    kinds = [(e.kind, e.target) for e in result.transcript]
    assert kinds == [("task", None), ("handoff", "flights"), ("handoff", "travel"), ("text", None), ("handoff", "user")]
    assert result.transcript[1].content == "Transferred to flights, adopting the role of flights immediately."
    # The ordinary tool of the handoff round ran, and is listed with the handoff tool.
    assert result.transcript[2].tool_calls == ("lookup", "transfer_to_travel")
    assert result.transcript[2].content == "back"
    assert result.stop_reason == "Handoff to user from travel detected."
    # The model was offered the transfer tools, and the tool round's results went back to nobody (the turn ended).
    first = next(r for r in model.requests if r.agent == "travel")
    assert [t.name for t in first.tools] == ["transfer_to_flights", "transfer_to_user"]
    assert len([r for r in model.requests if r.agent == "flights"]) == 1


async def test_without_a_handoff_the_current_speaker_goes_on() -> None:
    model = scripted({"a": [{"content": "one"}, {"content": "two"}, _handoff("b")], "b": text("done")})
    team = Swarm(
        [
            AssistantAgent("a", model_client=model, handoffs=["b"]),
            AssistantAgent("b", model_client=model, handoffs=["a"]),
        ],
        termination=MaxMessageTermination(5),
    )
    result = await team.run("go")
    assert result.speakers() == ["user", "a", "a", "a", "b"]


async def test_function_call_termination_sees_the_handoff_tool() -> None:
    model = scripted({"a": [_handoff("b")], "b": text("never")})
    team = Swarm(
        [AssistantAgent("a", model_client=model, handoffs=["b"]), AssistantAgent("b", model_client=model)],
        termination=FunctionCallTermination("transfer_to_b"),
    )
    result = await team.run("go")
    assert result.speakers() == ["user", "a"]
    assert result.stop_reason == "Function 'transfer_to_b' was executed."


async def test_a_handoff_to_a_stranger_without_a_condition_fails_the_run() -> None:
    model = scripted({"a": [_handoff("user")]})
    team = Swarm(
        [AssistantAgent("a", model_client=model, handoffs=["user"]), AssistantAgent("b", model_client=model)],
        max_turns=5,
    )
    with pytest.raises(HandoffTargetError):
        await team.run("go")


def test_handoff_names_must_not_clash_with_tools() -> None:
    model = scripted({})
    with pytest.raises(AgentDefinitionError):
        AssistantAgent(
            "a",
            model_client=model,
            tools=[FunctionTool(lookup)],
            handoffs=[Handoff("x", name="lookup")],
        )
