"""Scripted teams for tests: assistants named as asked, on one scripted model (answers keyed by run, agent, step)."""

from __future__ import annotations

from typing import Any

from switchboard.agentchat import AssistantAgent, UnboundedModelContext
from switchboard.models.scripted import Script, ScriptedModelClient


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
