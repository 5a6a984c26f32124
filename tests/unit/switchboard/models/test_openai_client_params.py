"""How requests are put on the wire per endpoint kind (no network: the SDK client is only constructed)."""

from __future__ import annotations

from pydantic import SecretStr

from switchboard.models.chat import (
    AssistantMessage,
    ModelRequest,
    ModelStep,
    ResponseFormat,
    ToolCall,
    ToolResultMessage,
    ToolSpec,
    UserMessage,
)
from switchboard.models.openai_client import AGENT_HEADER, RUN_HEADER, STEP_HEADER, OpenAIChatClient
from switchboard.models.settings import ModelEndpoint

SCHEMA = {"type": "object", "properties": {"ok": {"type": "boolean"}}}


def _request(**kwargs: object) -> ModelRequest:
    messages = (
        UserMessage(content="q", source="planner"),
        AssistantMessage(tool_calls=(ToolCall(id="c1", name="t", arguments='{"a": 1}'),)),
        ToolResultMessage(tool_call_id="c1", name="t", content="r"),
    )
    return ModelRequest(messages=messages, agent="writer", **kwargs)  # type: ignore[arg-type]


async def test_openai_endpoint_uses_json_schema_and_required_tool_choice() -> None:
    client = OpenAIChatClient(ModelEndpoint(kind="openai", model="gpt-4o-mini", api_key=SecretStr("sk-x")))
    tool = ToolSpec(name="t", description="d", parameters={"type": "object"})
    params = client._params(
        _request(tools=(tool,), tool_choice="required", response_format=ResponseFormat(name="R", json_schema=SCHEMA))
    )
    await client.close()
    assert params["model"] == "gpt-4o-mini"
    assert params["tool_choice"] == "required"
    assert params["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "R", "schema": SCHEMA, "strict": False},
    }
    assert params["extra_headers"] == {AGENT_HEADER: "writer"}
    assert params["messages"][1] == {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "t", "arguments": '{"a": 1}'}}],
    }
    assert params["messages"][2] == {"role": "tool", "tool_call_id": "c1", "content": "r"}
    assert "tools" in params


async def test_no_tools_means_no_tool_choice_and_azure_entra_id_builds_offline() -> None:
    endpoint = ModelEndpoint(kind="azure", model="gpt-4o", base_url="https://example.openai.azure.com")
    client = OpenAIChatClient(endpoint)
    params = client._params(_request(max_tokens=50, temperature=0.0))
    await client.close()
    assert client.model_name == "gpt-4o"
    assert "tools" not in params
    assert "tool_choice" not in params
    assert (params["max_tokens"], params["temperature"]) == (50, 0.0)


async def test_the_step_travels_as_headers_and_no_step_sends_only_the_agent() -> None:
    client = OpenAIChatClient(ModelEndpoint(kind="compatible", model="m", base_url="http://127.0.0.1:1/v1"))
    with_step = client._params(_request(step=ModelStep(run_id="run-1", agent="writer", index=3)))
    without = client._params(_request())
    await client.close()
    assert with_step["extra_headers"] == {AGENT_HEADER: "writer", RUN_HEADER: "run-1", STEP_HEADER: "3"}
    assert without["extra_headers"] == {AGENT_HEADER: "writer"}
