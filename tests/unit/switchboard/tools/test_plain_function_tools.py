"""A plain typed function in `tools=[...]` becomes a tool, as AutoGen's FunctionTool makes one."""

from __future__ import annotations

import pytest

from switchboard.agentchat import AssistantAgent
from switchboard.errors import AgentDefinitionError
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.teams import RoundRobinGroupChat
from switchboard.termination import MaxMessageTermination


async def classify(ticket: str, urgent: bool = False) -> str:
    """Put a support ticket into a queue.

    Args:
        ticket: The ticket's text.
        urgent: Whether the customer is blocked.
    """
    return f"{'P1' if urgent else 'P3'}: {ticket[:10]}"


def _model() -> ScriptedModelClient:
    call = {"name": "classify", "arguments": {"ticket": "login fails", "urgent": True}}
    script = {"agents": {"triager": [{"tool_calls": [call]}, {"content": "P1"}]}}
    return ScriptedModelClient(Script.model_validate(script))


def test_name_description_and_schema_come_from_the_function() -> None:
    agent = AssistantAgent("triager", model_client=_model(), tools=[classify])
    spec = agent.tools["classify"].spec
    assert spec.description == "Put a support ticket into a queue."
    assert spec.parameters["required"] == ["ticket"]
    assert spec.parameters["properties"]["urgent"]["type"] == "boolean"
    assert spec.parameters["properties"]["ticket"]["description"] == "The ticket's text."


async def test_the_model_calls_it_in_a_run() -> None:
    team = RoundRobinGroupChat(
        [AssistantAgent("triager", model_client=_model(), tools=[classify])], termination=MaxMessageTermination(2)
    )
    result = await team.run("login fails for everyone")
    (answer,) = [e for e in result.transcript if e.source == "triager"]
    assert answer.tool_calls == ("classify",)
    assert answer.content == "P1"


@pytest.mark.parametrize("bad", ["classify", 42, object()])
def test_anything_else_is_refused_with_the_agent_and_the_entry(bad: object) -> None:
    with pytest.raises(AgentDefinitionError, match=r"triager: tools=\[\.\.\.\] takes FunctionTool objects or typed"):
        AssistantAgent("triager", model_client=_model(), tools=[bad])  # type: ignore[list-item]


def test_a_function_without_hints_says_which_parameter() -> None:
    def untyped(ticket):  # type: ignore[no-untyped-def]
        """No hints."""
        return ticket

    with pytest.raises(AgentDefinitionError, match="ticket"):
        AssistantAgent("triager", model_client=_model(), tools=[untyped])
