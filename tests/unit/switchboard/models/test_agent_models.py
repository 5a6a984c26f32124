"""A model per agent: `MODEL__<AGENT>__*` settings layered over the team's, fallback, code-set clients kept."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from agents.registry import research_team
from switchboard.models.agent_models import (
    AgentModelClient,
    agent_endpoint,
    agent_key,
    assign_agent_clients,
)
from switchboard.models.chat import ModelRequest, UserMessage
from switchboard.models.errors import ModelNotConfiguredError
from switchboard.models.openai_client import OpenAIChatClient, settings_agent_client
from switchboard.models.protocol import ModelClient
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.models.settings import ModelEndpoint, TokenPrice
from switchboard.models.usage import models_by_agent
from tests.support.processes import REPO_ROOT

DEMO = Script.load(REPO_ROOT / "agents" / "scripts" / "research_demo.json")
MODEL_ENV = (
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_DEPLOYMENT",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in MODEL_ENV:
        monkeypatch.delenv(name, raising=False)


def test_agent_key_is_the_name_in_upper_case_with_other_characters_as_underscores() -> None:
    assert agent_key("reviewer") == "REVIEWER"
    assert agent_key("release-checker.v2") == "RELEASE_CHECKER_V2"


def test_an_agents_settings_are_layered_over_the_teams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_MODEL", "big")
    monkeypatch.setenv("MODEL__REVIEWER__OPENAI_MODEL", "small")
    monkeypatch.setenv("MODEL__REVIEWER__SWITCHBOARD_MODEL_TEMPERATURE", "0.2")
    monkeypatch.setenv("MODEL__REVIEWER__SWITCHBOARD_MODEL_MAX_TOKENS", "64")
    monkeypatch.setenv("MODEL__REVIEWER__SWITCHBOARD_MODEL_PRICE_INPUT", "0.15")
    monkeypatch.setenv("MODEL__REVIEWER__SWITCHBOARD_MODEL_PRICE_OUTPUT", "0.6")
    reviewer = agent_endpoint("reviewer")
    assert reviewer is not None
    assert (reviewer.kind, reviewer.model, reviewer.base_url) == ("compatible", "small", "http://127.0.0.1:9/v1")
    assert (reviewer.temperature, reviewer.max_tokens) == (0.2, 64)
    assert reviewer.price == TokenPrice(0.15, 0.6)
    assert reviewer.price.of(1_000_000, 2_000_000) == pytest.approx(1.35)
    assert agent_endpoint("planner") is None  # no settings of its own: the team's client


def test_an_azure_agent_gets_another_deployment_of_the_same_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://acct.openai.azure.com/")
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT", "gpt-4o")
    monkeypatch.setenv("MODEL__REVIEWER__AZURE_OPENAI_DEPLOYMENT", "gpt-4o-mini")
    reviewer = agent_endpoint("reviewer")
    assert reviewer is not None
    assert (reviewer.kind, reviewer.model, reviewer.base_url) == (
        "azure",
        "gpt-4o-mini",
        "https://acct.openai.azure.com/",
    )
    assert reviewer.api_key is None  # Entra ID, as the team's


def test_a_misspelt_setting_is_a_clear_error_not_a_silent_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL__REVIEWER__DEPLOYMENT", "gpt-4o-mini")
    with pytest.raises(ModelNotConfiguredError, match="MODEL__REVIEWER__DEPLOYMENT: not a model setting") as info:
        agent_endpoint("reviewer")
    assert "AZURE_OPENAI_DEPLOYMENT" in info.value.reason


def test_blank_agent_settings_leave_the_agent_on_the_teams_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL__REVIEWER__AZURE_OPENAI_DEPLOYMENT", "")
    monkeypatch.setenv("MODEL__REVIEWER__OPENAI_MODEL", " ")
    assert agent_endpoint("reviewer") is None


def test_a_bad_value_or_an_incomplete_endpoint_names_the_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL__REVIEWER__SWITCHBOARD_MODEL_MAX_TOKENS", "lots")
    with pytest.raises(ModelNotConfiguredError, match="agent 'reviewer': invalid model setting"):
        agent_endpoint("reviewer")
    monkeypatch.setenv("MODEL__REVIEWER__SWITCHBOARD_MODEL_MAX_TOKENS", "10")
    with pytest.raises(ModelNotConfiguredError, match=r"agent 'reviewer' \(MODEL__REVIEWER__\*\): no model configured"):
        agent_endpoint("reviewer")


def test_the_endpoint_caps_max_tokens_and_defaults_the_temperature() -> None:
    endpoint = ModelEndpoint(kind="openai", model="m", api_key=SecretStr("sk-x"), temperature=0.3, max_tokens=50)
    client = OpenAIChatClient(endpoint)
    messages = (UserMessage(content="q"),)
    own = client._params(ModelRequest(messages=messages, max_tokens=200, temperature=0.9))
    unset = client._params(ModelRequest(messages=messages))
    lower = client._params(ModelRequest(messages=messages, max_tokens=20))
    assert (own["max_tokens"], own["temperature"]) == (50, 0.9)
    assert (unset["max_tokens"], unset["temperature"]) == (50, 0.3)
    assert lower["max_tokens"] == 20


def _two_models() -> tuple[ScriptedModelClient, ScriptedModelClient, dict[str, ModelClient]]:
    team_client = ScriptedModelClient(DEMO, model_name="big")
    reviewer_only = Script(agents={"reviewer": DEMO.agents["reviewer"]})
    small = ScriptedModelClient(reviewer_only, model_name="small")
    return team_client, small, {"reviewer": small}


async def test_two_agents_on_two_models_in_one_in_process_run() -> None:
    team_client, small, own = _two_models()
    team = research_team(team_client)
    assigned = assign_agent_clients(team.agents(), team_client, lambda agent: own.get(agent))
    result = await team.run("How are effects made exactly once?")
    assert result.stop_reason == "text 'Verdict: APPROVE' mentioned by reviewer"
    models = models_by_agent((entry.source, entry.model) for entry in result.transcript)
    assert models == {"planner": "big", "researcher": "big", "writer": "big", "reviewer": "small"}
    # Each client saw only its agents' calls, and the run's usage is theirs to the token.
    assert set(small.usage.by_agent) == {"reviewer"}
    assert "reviewer" not in team_client.usage.by_agent
    assert result.usage["reviewer"] == small.usage.by_agent["reviewer"]
    assert result.usage["writer"] == team_client.usage.by_agent["writer"]
    for client in assigned:
        await client.close()


def test_an_agent_given_its_own_client_in_code_keeps_it() -> None:
    team_client, small, _ = _two_models()
    team = research_team(team_client, reviewer_model=small)
    reviewer = next(a for a in team.participants if a.name == "reviewer")
    assigned = assign_agent_clients(team.agents(), team_client, lambda agent: None)
    assert reviewer.model_client is small  # type: ignore[attr-defined]
    assert sorted(c.agent for c in assigned) == ["planner", "researcher", "writer"]


class _Closable(ScriptedModelClient):
    closed = 0

    async def close(self) -> None:
        self.closed += 1


async def test_an_agent_client_falls_back_to_the_team_and_closes_only_its_own() -> None:
    team_client = _Closable(DEMO, model_name="big")
    own = _Closable(Script(agents={"reviewer": DEMO.agents["reviewer"]}), model_name="small")
    planner = AgentModelClient("planner", team_client, lambda agent: None)
    reviewer = AgentModelClient("reviewer", team_client, lambda agent: own)
    assert reviewer.model_name == "big"  # not resolved yet: named as the team's
    assert await planner.resolve() is team_client
    assert await reviewer.resolve() is own
    assert (planner.model_name, reviewer.model_name) == ("big", "small")
    await planner.close()
    await reviewer.close()
    assert (team_client.closed, own.closed) == (0, 1)


async def test_the_agents_settings_are_read_on_its_first_call_not_when_built(monkeypatch: pytest.MonkeyPatch) -> None:
    team_client = ScriptedModelClient(DEMO, model_name="big")
    client = AgentModelClient("reviewer", team_client, settings_agent_client)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("MODEL__REVIEWER__OPENAI_MODEL", "small")
    resolved = await client.resolve()
    assert isinstance(resolved, OpenAIChatClient)
    assert client.model_name == "small"
    await client.close()
