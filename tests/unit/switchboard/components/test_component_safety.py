"""Loading JSON never runs code from it and never lets a secret through: providers come from an allow-list,
tools from a registry (AutoGen's stored `source_code` is ignored), literal keys are refused, and each refusal
names the JSON path of the offending part."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from autogen_agentchat.agents import AssistantAgent as AgAssistant
from autogen_agentchat.teams import RoundRobinGroupChat as AgRoundRobin
from autogen_core.models import ModelFamily, ModelInfo
from autogen_core.tools import FunctionTool as AgFunctionTool
from autogen_ext.models.replay import ReplayChatCompletionClient

from switchboard import load_component
from switchboard.agentchat import AssistantAgent
from switchboard.components import ComponentError, ToolRegistry
from switchboard.models.openai_client import OpenAIChatClient
from switchboard.models.scripted import Script, ScriptedModelClient

MODEL = ModelInfo(
    vision=False, function_calling=True, json_output=False, family=ModelFamily.UNKNOWN, structured_output=False
)
EXECUTED: list[str] = []


def lookup(city: str) -> str:
    """Look up a city.

    Args:
        city: The city.
    """
    return city


def team_with_a_tool() -> dict[str, Any]:
    model = ReplayChatCompletionClient(["hi"], MODEL)
    plain = AgAssistant("a", model_client=model)
    tooled = AgAssistant("b", model_client=model, tools=[AgFunctionTool(lookup, description="Look up")])
    spec: dict[str, Any] = AgRoundRobin([plain, tooled], max_turns=2).dump_component().model_dump(mode="json")
    return spec


def test_source_code_in_the_json_is_never_executed_and_an_unregistered_tool_is_refused_by_path() -> None:
    spec = team_with_a_tool()
    tool = spec["config"]["participants"][1]["config"]["workbench"][0]["config"]["tools"][0]
    tool["config"]["source_code"] = (
        "import tests\nEXECUTED.append('ran')\ndef lookup(city: str) -> str:\n    return city\n"
    )
    tool["config"]["global_imports"] = ["os"]

    with pytest.raises(ComponentError) as refused:
        load_component(spec)
    assert refused.value.path == "config.participants[1].config.workbench[0].config.tools[0]"
    assert "not in the registry of allowed tools" in str(refused.value)
    assert EXECUTED == []

    team = load_component(spec, tools=ToolRegistry([lookup]))
    assert team.participants[1].tools["lookup"].func is lookup  # the registered function, not the JSON's code
    assert EXECUTED == []


@pytest.mark.parametrize(
    ("provider", "path"),
    [
        ("os.system", "config.participants[0].provider"),
        ("autogen_agentchat.agents.SocietyOfMindAgent", "config.participants[0].provider"),
    ],
)
def test_a_provider_off_the_allow_list_is_refused_by_path(provider: str, path: str) -> None:
    spec = team_with_a_tool()
    spec["config"]["participants"][0]["provider"] = provider
    with pytest.raises(ComponentError, match="not on the allow-list") as refused:
        load_component(spec, tools=[lookup])
    assert refused.value.path == path


def test_a_literal_api_key_is_refused_without_being_logged(caplog: pytest.LogCaptureFixture) -> None:
    spec = team_with_a_tool()
    client = {"provider": "OpenAIChatCompletionClient", "config": {"model": "gpt-4o", "api_key": "sk-live-SECRET"}}
    spec["config"]["participants"][0]["config"]["model_client"] = client
    with caplog.at_level(logging.DEBUG), pytest.raises(ComponentError) as refused:
        load_component(spec, tools=[lookup])
    assert refused.value.path == "config.participants[0].config.model_client.config.api_key"
    assert "sk-live-SECRET" not in str(refused.value)
    assert "sk-live-SECRET" not in caplog.text


def test_a_setting_reference_supplies_the_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MY_MODEL_KEY", "sk-from-settings")
    client = {
        "provider": "autogen_ext.models.openai.OpenAIChatCompletionClient",
        "component_type": "model",
        "config": {"model": "gpt-4o-mini", "api_key": "${MY_MODEL_KEY}", "base_url": "http://127.0.0.1:9/v1"},
    }
    agent = {"provider": "AssistantAgent", "config": {"name": "writer", "model_client": client}}
    path = tmp_path / "agent.json"
    path.write_text(json.dumps(agent), encoding="utf-8")
    loaded = load_component(path)
    assert isinstance(loaded, AssistantAgent)
    assert isinstance(loaded.model_client, OpenAIChatClient)
    assert loaded.model_client.model_name == "gpt-4o-mini"

    monkeypatch.delenv("MY_MODEL_KEY")
    with pytest.raises(ComponentError, match="'MY_MODEL_KEY' is not set"):
        load_component(path)


def test_unsupported_options_and_bad_json_name_their_path() -> None:
    spec = team_with_a_tool()
    spec["config"]["participants"][0]["config"]["tool_call_summary_format"] = "{tool_name}: {result}"
    with pytest.raises(ComponentError) as refused:
        load_component(spec, tools=[lookup])
    assert refused.value.path == "config.participants[0].config.tool_call_summary_format"

    with pytest.raises(ComponentError, match="not valid JSON"):
        load_component('{"provider": ')
    with pytest.raises(ComponentError, match="expected a team component, got a agent") as wrong:
        load_component(team_with_a_tool()["config"]["participants"][0], expected="team")
    assert wrong.value.path == "provider"


def test_autogen_names_become_queue_names_everywhere() -> None:
    model = ReplayChatCompletionClient(["hi"], MODEL)
    writer = AgAssistant("Writer_Agent", model_client=model, handoffs=["Editor_Agent"])
    editor = AgAssistant("Editor_Agent", model_client=model)
    team = load_component(AgRoundRobin([writer, editor], max_turns=2).dump_component().model_dump(mode="json"))
    assert team.name == "roundrobingroupchat"
    assert [p.name for p in team.participants] == ["writer_agent", "editor_agent"]
    assert [h.target for h in team.participants[0].handoffs.values()] == ["editor_agent"]

    endless = AgRoundRobin([editor]).dump_component().model_dump(mode="json")
    with pytest.raises(ComponentError, match="would never stop") as refused:
        load_component(endless)
    assert refused.value.path == ""


async def test_an_autogen_studio_team_with_version_1_tools_runs_on_a_model_of_ours() -> None:
    """The shape AutoGen Studio saves: a version-1 assistant with a `tools` list, no team name."""

    def part(provider: str, kind: str, config: dict[str, Any]) -> dict[str, Any]:
        return {"provider": provider, "component_type": kind, "version": 1, "component_version": 1, "config": config}

    tool = part("autogen_core.tools.FunctionTool", "tool", {"source_code": "def lookup(city): ...", "name": "lookup"})
    model = part("autogen_ext.models.openai.OpenAIChatCompletionClient", "model", {"model": "gpt-4o-mini"})
    assistant = part(
        "autogen_agentchat.agents.AssistantAgent",
        "agent",
        {"name": "assistant_agent", "model_client": model, "tools": [tool], "reflect_on_tool_use": False},
    )
    stop = part(
        "autogen_agentchat.base.OrTerminationCondition",
        "termination",
        {
            "conditions": [
                part("autogen_agentchat.conditions.TextMentionTermination", "termination", {"text": "TERMINATE"}),
                part("autogen_agentchat.conditions.MaxMessageTermination", "termination", {"max_messages": 10}),
            ]
        },
    )
    studio = part(
        "autogen_agentchat.teams.RoundRobinGroupChat",
        "team",
        {"participants": [assistant], "termination_condition": stop},
    )
    replies = [
        {"tool_calls": [{"name": "lookup", "arguments": {"city": "Oslo"}}]},
        {"content": "Oslo it is. TERMINATE"},
    ]
    scripted = ScriptedModelClient(Script.model_validate({"agents": {"*": replies}}))
    team = load_component(studio, tools=[lookup], model_override=lambda _spec, _path: scripted)
    result = await team.run("Tell me about Oslo")
    assert team.name == "team"
    assert result.speakers() == ["user", "assistant_agent", "assistant_agent"]
    assert result.transcript[1].content == "Oslo"
    assert result.stop_reason == "text 'TERMINATE' mentioned by assistant_agent"
