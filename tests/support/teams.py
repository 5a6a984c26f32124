"""Scripted teams for tests: assistants named as asked, on one scripted model (answers keyed by run, agent, step)."""

from __future__ import annotations

from typing import Any

from switchboard.agentchat import AssistantAgent, BufferedModelContext, UnboundedModelContext
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.teams import RoundRobinGroupChat
from switchboard.termination import MaxMessageTermination
from switchboard.tools import FunctionTool


def scripted(script: dict[str, list[dict[str, Any]]]) -> ScriptedModelClient:
    """A scripted model answering `{agent: [reply, ...]}` (the team manager's selector calls under its name)."""
    return ScriptedModelClient(Script.model_validate({"agents": script}))


def text(*contents: str, tokens: int | None = None) -> list[dict[str, Any]]:
    """Plain replies, optionally with a fixed usage of `tokens` prompt tokens and 1 completion token each."""
    usage = {"usage": {"prompt_tokens": tokens, "completion_tokens": 1}} if tokens is not None else {}
    return [{"content": content, **usage} for content in contents]


def assistants(model: ScriptedModelClient, *names: str, **options: Any) -> list[AssistantAgent]:
    """One assistant per name, described as `<name> role`, each with an unbounded context."""
    return [
        AssistantAgent(
            name, model_client=model, description=f"{name} role", model_context=UnboundedModelContext(), **options
        )
        for name in names
    ]


def lookup(city: str) -> str:
    """Look a city up.

    Args:
        city: The city.
    """
    return f"{city} is sunny"


def weather_team() -> RoundRobinGroupChat:
    """A worker with a `lookup` tool and a checker, three messages on one scripted model (telemetry tests)."""
    model = scripted(
        {
            "worker": [
                {
                    "tool_calls": [{"name": "lookup", "arguments": {"city": "Oslo"}}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 2},
                },
                {"content": "Oslo is sunny", "usage": {"prompt_tokens": 20, "completion_tokens": 4}},
            ],
            "checker": [{"content": "checked", "usage": {"prompt_tokens": 30, "completion_tokens": 3}}],
        }
    )
    worker = AssistantAgent(
        "worker", model_client=model, tools=[FunctionTool(lookup)], model_context=BufferedModelContext(6)
    )
    checker = AssistantAgent("checker", model_client=model, model_context=BufferedModelContext(6))
    return RoundRobinGroupChat([worker, checker], termination=MaxMessageTermination(3), name="duo")
