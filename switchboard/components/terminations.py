"""Termination conditions between AutoGen's component JSON and Switchboard.

Every condition AutoGen serialises, plus our tool-call budget under its own provider name (AutoGen has no peer).
"""

from __future__ import annotations

from typing import Any

import switchboard.termination as sb
from switchboard.components.errors import ComponentError
from switchboard.components.loader import Loader, want
from switchboard.components.naming import agent_name
from switchboard.components.spec import ComponentSpec, component, join

CONDITIONS = "autogen_agentchat.conditions."
BASE = "autogen_agentchat.base."
TOOL_BUDGET = "switchboard.termination.ToolCallBudgetTermination"


def load_termination(loader: Loader, spec: ComponentSpec, path: str) -> sb.TerminationCondition:
    """Our condition for an AutoGen termination spec."""
    config, kind = spec.config, spec.provider.rsplit(".", 1)[-1]
    if kind in ("AndTerminationCondition", "OrTerminationCondition"):
        items = want(config, "conditions", list, path, [])
        if not items:
            raise ComponentError(join(path, "conditions"), "a combined condition needs at least one condition")
        children = [loader.load(item, join(join(path, "conditions"), i), "termination") for i, item in enumerate(items)]
        combined = sb.AndTerminationCondition if kind.startswith("And") else sb.OrTerminationCondition
        return combined(*children)
    if kind == "MaxMessageTermination":
        return sb.MaxMessageTermination(
            _required(config, "max_messages", int, path), want(config, "include_agent_event", bool, path, False)
        )
    if kind == "TextMentionTermination":
        sources = want(config, "sources", list, path)
        return sb.TextMentionTermination(
            _required(config, "text", str, path), [agent_name(s, path) for s in sources] if sources else None
        )
    if kind == "StopMessageTermination":
        return sb.StopMessageTermination()
    if kind == "TextMessageTermination":
        source = want(config, "source", str, path)
        return sb.TextMessageTermination(agent_name(source, path) if source else None)
    if kind == "TokenUsageTermination":
        return sb.TokenUsageTermination(
            max_total_token=want(config, "max_total_token", int, path),
            max_prompt_token=want(config, "max_prompt_token", int, path),
            max_completion_token=want(config, "max_completion_token", int, path),
        )
    if kind == "HandoffTermination":
        return sb.HandoffTermination(agent_name(_required(config, "target", str, path), path))
    if kind == "TimeoutTermination":
        return sb.TimeoutTermination(float(_required(config, "timeout_seconds", (int, float), path)))
    if kind == "ExternalTermination":
        return sb.ExternalTermination()
    if kind == "SourceMatchTermination":
        return sb.SourceMatchTermination([agent_name(s, path) for s in _required(config, "sources", list, path)])
    if kind == "FunctionCallTermination":
        return sb.FunctionCallTermination(_required(config, "function_name", str, path))
    if kind == "ToolCallBudgetTermination":
        return sb.ToolCallBudgetTermination(_required(config, "max_calls", int, path))
    raise ComponentError(join(path, "provider"), f"termination {kind!r} is not supported")


def _required(config: dict[str, Any], key: str, kind: type | tuple[type, ...], path: str) -> Any:
    value = want(config, key, kind, path)
    if value is None:
        raise ComponentError(join(path, key), f"{key!r} is required")
    return value


def dump_termination(condition: sb.TerminationCondition, path: str) -> dict[str, Any]:
    """AutoGen's component for `condition`.

    Raises:
        ComponentError: The condition is a function or a cost budget, which have no declarative form.
    """
    if isinstance(condition, sb.AndTerminationCondition | sb.OrTerminationCondition):
        kind = (
            "AndTerminationCondition" if isinstance(condition, sb.AndTerminationCondition) else "OrTerminationCondition"
        )
        children = [
            dump_termination(c, join(join(path, "config.conditions"), i)) for i, c in enumerate(condition.conditions)
        ]
        return component(BASE + kind, "termination", {"conditions": children})
    config = _config(condition, path)
    provider = (
        TOOL_BUDGET if isinstance(condition, sb.ToolCallBudgetTermination) else CONDITIONS + type(condition).__name__
    )
    return component(provider, "termination", config)


def _config(condition: sb.TerminationCondition, path: str) -> dict[str, Any]:
    if isinstance(condition, sb.MaxMessageTermination):
        return {"max_messages": condition.max_messages, "include_agent_event": condition.include_agent_event}
    if isinstance(condition, sb.TextMentionTermination):
        return {"text": condition.text} | ({"sources": list(condition.sources)} if condition.sources else {})
    if isinstance(condition, sb.StopMessageTermination | sb.ExternalTermination):
        return {}
    if isinstance(condition, sb.TextMessageTermination):
        return {"source": condition.source} if condition.source else {}
    if isinstance(condition, sb.TokenUsageTermination):
        # All three keys, nulls included: AutoGen's config requires them (its own dump drops nulls, so AutoGen
        # cannot load what it wrote; ours it can).
        return {
            "max_total_token": condition.max_total_token,
            "max_prompt_token": condition.max_prompt_token,
            "max_completion_token": condition.max_completion_token,
        }
    if isinstance(condition, sb.HandoffTermination):
        return {"target": condition.target}
    if isinstance(condition, sb.TimeoutTermination):
        return {"timeout_seconds": condition.timeout_seconds}
    if isinstance(condition, sb.SourceMatchTermination):
        return {"sources": list(condition.sources)}
    if isinstance(condition, sb.FunctionCallTermination):
        return {"function_name": condition.function_name}
    if isinstance(condition, sb.ToolCallBudgetTermination):
        return {"max_calls": condition.max_calls}
    raise ComponentError(path, f"{type(condition).__name__} has no declarative form (it holds code or a price table)")


_KINDS = [
    "MaxMessageTermination",
    "TextMentionTermination",
    "StopMessageTermination",
    "TextMessageTermination",
    "TokenUsageTermination",
    "HandoffTermination",
    "TimeoutTermination",
    "ExternalTermination",
    "SourceMatchTermination",
    "FunctionCallTermination",
]
PROVIDERS = {
    **{CONDITIONS + k: ("termination", load_termination) for k in _KINDS},
    **{k: ("termination", load_termination) for k in _KINDS},
    **{f"switchboard.termination.{k}": ("termination", load_termination) for k in _KINDS},
    **{BASE + k: ("termination", load_termination) for k in ("AndTerminationCondition", "OrTerminationCondition")},
    TOOL_BUDGET: ("termination", load_termination),
}
"""Allowed termination providers: name to (component type, builder)."""
