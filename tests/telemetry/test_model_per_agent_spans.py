"""A model per agent in the traces: each agent's `chat <model>` span and metrics name the model it called, and an
agent client's configured price is its calls' cost."""

from __future__ import annotations

import pytest

from agents.registry import research_team
from switchboard.instrumentation import use
from switchboard.models.agent_models import assign_agent_clients
from switchboard.models.protocol import ModelClient
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.models.settings import TokenPrice
from tests.support.processes import REPO_ROOT
from tests.telemetry.spans_harness import attributes, capture

DEMO = Script.load(REPO_ROOT / "agents" / "scripts" / "research_demo.json")


class _PricedScript(ScriptedModelClient):
    """A scripted model with a configured price, as an `OpenAIChatClient` built from `MODEL__<AGENT>__*` has."""

    price = TokenPrice(input=100.0, output=400.0)


async def test_each_agents_chat_spans_name_its_model_and_its_price_sets_the_cost() -> None:
    captured = capture()
    team_client = ScriptedModelClient(DEMO, model_name="scripted")
    small = _PricedScript(Script(agents={"reviewer": DEMO.agents["reviewer"]}), model_name="small")
    own: dict[str, ModelClient] = {"reviewer": small}
    with use(captured.telemetry):
        team = research_team(team_client)
        assign_agent_clients(team.agents(), team_client, lambda agent: own.get(agent))
        await team.run("How are effects made exactly once?")
    chats = [s for s in captured.finished() if s.name.startswith("chat ")]
    by_agent: dict[str, set[str]] = {}
    for span in chats:
        by_agent.setdefault(str(attributes(span)["gen_ai.agent.name"]), set()).add(span.name)
    assert by_agent == {
        "planner": {"chat scripted"},
        "researcher": {"chat scripted"},
        "writer": {"chat scripted"},
        "reviewer": {"chat small"},
    }
    reviewer = [attributes(s) for s in chats if s.name == "chat small"]
    assert {a["gen_ai.request.model"] for a in reviewer} == {"small"}
    for spent in reviewer:
        assert spent["switchboard.cost_usd"] == pytest.approx(_cost(spent, 100, 400))
    # The writer is priced by the harness's list price for `scripted` (1000/2000), not by the reviewer's.
    writer = next(attributes(s) for s in chats if attributes(s)["gen_ai.agent.name"] == "writer")
    assert writer["switchboard.cost_usd"] == pytest.approx(_cost(writer, 1000, 2000))


def _cost(span: dict[str, object], input_price: float, output_price: float) -> float:
    tokens_in, tokens_out = span["gen_ai.usage.input_tokens"], span["gen_ai.usage.output_tokens"]
    assert isinstance(tokens_in, int)
    assert isinstance(tokens_out, int)
    return (tokens_in * input_price + tokens_out * output_price) / 1_000_000
