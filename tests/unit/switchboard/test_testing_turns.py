"""`switchboard.testing.take_turn` / `scripted_model`: unit-test one AssistantAgent without its team."""

from __future__ import annotations

from switchboard.agentchat import AssistantAgent
from switchboard.models.chat import ToolResultMessage
from switchboard.protocol import TEAM_MESSAGES
from switchboard.testing import AgentHarness, TranscriptEntry, scripted_model, take_turn


def lookup_customer(email: str) -> str:
    """Look a customer's plan up by e-mail.

    Args:
        email: The customer's e-mail address.
    """
    return "enterprise" if email.endswith("@contoso.com") else "free"


async def test_one_turn_with_a_tool_call_and_its_result_fed_back() -> None:
    model = scripted_model(
        {
            "classifier": [
                {"tool_calls": [{"name": "lookup_customer", "arguments": {"email": "ana@contoso.com"}}]},
                {"content": "Category: login. Priority: P1."},
            ]
        }
    )
    agent = AssistantAgent("classifier", model_client=model, tools=[lookup_customer])
    entry = await take_turn(agent, "ana@contoso.com: I cannot log in")
    assert entry.content == "Category: login. Priority: P1."
    assert entry.tool_calls == ("lookup_customer",)
    assert model.requests[0].messages[-1].content == "ana@contoso.com: I cannot log in"
    fed_back = model.requests[1].messages[-1]
    assert isinstance(fed_back, ToolResultMessage)
    assert fed_back.content == "enterprise"


async def test_turns_on_one_harness_keep_the_agents_history() -> None:
    model = scripted_model({"responder": [{"content": "first"}, {"content": "second"}]})
    agent = AssistantAgent("responder", model_client=model)
    harness = AgentHarness([agent], extra_messages=TEAM_MESSAGES)
    assert (await take_turn(agent, "hi", harness=harness)).content == "first"
    assert (await take_turn(agent, "again", harness=harness)).content == "second"
    assert [m.content for m in model.requests[1].messages[1:]] == ["hi", "first", "again"]


async def test_entries_from_other_agents_are_passed_as_they_are() -> None:
    model = scripted_model({"*": [{"content": "ok"}]})
    agent = AssistantAgent("responder", model_client=model)
    other = TranscriptEntry(source="classifier", content="Category: billing")
    assert (await take_turn(agent, "charged twice", other)).content == "ok"
    assert [m.content for m in model.requests[0].messages[-2:]] == ["charged twice", "Category: billing"]
