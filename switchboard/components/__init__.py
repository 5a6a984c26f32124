"""Declarative components in AutoGen 0.7's JSON format, read and written.

`load_component` reads what AutoGen's `dump_component()` and AutoGen Studio write; `dump_component` writes JSON
that AutoGen's `ComponentLoader.load_component` reads back.

Nothing from the JSON is imported or executed: providers come from an allow-list (AutoGen's names, their short
aliases, and ours), tools from a `ToolRegistry` of allowed tools, and a literal secret is refused with its path
(write a `${SETTING}` reference instead). See `docs/coming-from-autogen.md`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from switchboard.agent import Agent
from switchboard.agentchat.model_context import BufferedModelContext, TokenLimitedModelContext, UnboundedModelContext
from switchboard.code_execution.local import LocalCommandLineCodeExecutor
from switchboard.components import agents, code_agents, executors, models, teams, terminations
from switchboard.components.errors import ComponentError
from switchboard.components.loader import Builder, Loader, ModelOverride
from switchboard.components.spec import read_spec, refuse_literal_secrets
from switchboard.components.tool_registry import ToolRegistry
from switchboard.memory import ListMemory
from switchboard.models.openai_client import OpenAIChatClient
from switchboard.models.scripted import ScriptedModelClient
from switchboard.teams import GroupChat
from switchboard.termination import TerminationCondition
from switchboard.tools import FunctionTool

__all__ = ["PROVIDERS", "ComponentError", "ToolRegistry", "dump_component", "load_component"]

_TABLE: dict[str, tuple[str, Builder]] = {
    **models.PROVIDERS,
    **terminations.PROVIDERS,
    **agents.PROVIDERS,
    **teams.PROVIDERS,
    **executors.PROVIDERS,
    **code_agents.PROVIDERS,
}
PROVIDERS: frozenset[str] = frozenset(_TABLE)
"""The allow-list: every provider name `load_component` accepts."""


def load_component(
    spec: Mapping[str, Any] | str | Path,
    *,
    tools: ToolRegistry | Iterable[FunctionTool | Callable[..., Any]] = (),
    expected: str | None = None,
    model_override: ModelOverride | None = None,
) -> Any:
    """Build a Switchboard object from an AutoGen component.

    Args:
        spec: The component: a dict, a JSON string, or the path of a JSON file.
        tools: The tools the component may name (a registry, or tools/functions to allow).
        expected: The component type required (`team`, `agent`, `model`, `termination`, ...), or None for any.
        model_override: Replaces model client specs by clients of the caller's (returns None to keep a spec's).

    Returns:
        A team, agent, model client, termination condition, model context, memory or tool.

    Raises:
        ComponentError: The JSON is malformed, names a provider or tool that is not allowed, holds a literal
            secret, or uses an option Switchboard does not support; its `path` says where.
    """
    data = read_spec(spec)
    refuse_literal_secrets(data)
    registry = tools if isinstance(tools, ToolRegistry) else ToolRegistry(tools)
    loader = Loader(
        providers={name: builder for name, (_, builder) in _TABLE.items()},
        kinds={name: kind for name, (kind, _) in _TABLE.items()},
        tools=registry,
        model_override=model_override,
    )
    return loader.load(data, "", expected)


def dump_component(value: Any) -> dict[str, Any]:
    """The AutoGen component JSON (as a dict) for a team, agent, model, condition, context, memory, executor or tool.

    Raises:
        ComponentError: Part of `value` holds code (a selector function, a code condition, an output type...) or
            has no AutoGen form; its `path` says where.
    """
    if isinstance(value, GroupChat):
        return teams.dump_team(value, "")
    if isinstance(value, Agent):
        return agents.dump_agent(value, "")
    if isinstance(value, TerminationCondition):
        return terminations.dump_termination(value, "")
    if isinstance(value, ScriptedModelClient | OpenAIChatClient):
        return models.dump_model(value, "")
    if isinstance(value, BufferedModelContext | UnboundedModelContext | TokenLimitedModelContext):
        return models.dump_context(value, "")
    if isinstance(value, FunctionTool):
        return agents.dump_tool(value, "")
    if isinstance(value, LocalCommandLineCodeExecutor):
        return executors.dump_executor(value, "")
    if isinstance(value, ListMemory):
        return agents.dump_memory(value, "")
    raise ComponentError("", f"{type(value).__name__} has no declarative form")
