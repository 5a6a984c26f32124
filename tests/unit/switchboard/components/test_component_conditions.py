"""Every termination condition AutoGen 0.7.5 serialises loads here as ours and dumps back to the same JSON, which
AutoGen's `ComponentLoader` loads again; contexts, memory and the replay model round-trip the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from autogen_agentchat import conditions as ag
from autogen_agentchat.base import TerminationCondition as AgCondition
from autogen_core.memory import ListMemory as AgListMemory
from autogen_core.memory import MemoryContent as AgMemoryContent
from autogen_core.model_context import (
    BufferedChatCompletionContext,
    UnboundedChatCompletionContext,
)

import switchboard.termination as sb
from switchboard import dump_component, load_component
from switchboard.agentchat.model_context import BufferedModelContext
from switchboard.code_execution.local import LocalCommandLineCodeExecutor
from switchboard.components import ComponentError
from switchboard.memory import ListMemory
from tests.support.autogen_components import autogen_load

CONDITIONS: dict[str, tuple[AgCondition, type[sb.TerminationCondition]]] = {
    "max-message": (ag.MaxMessageTermination(4, include_agent_event=True), sb.MaxMessageTermination),
    "text-mention": (ag.TextMentionTermination("DONE", sources=["b"]), sb.TextMentionTermination),
    "stop-message": (ag.StopMessageTermination(), sb.StopMessageTermination),
    "text-message": (ag.TextMessageTermination("a"), sb.TextMessageTermination),
    "token-usage": (ag.TokenUsageTermination(max_total_token=9, max_completion_token=3), sb.TokenUsageTermination),
    "handoff": (ag.HandoffTermination("user"), sb.HandoffTermination),
    "timeout": (ag.TimeoutTermination(30), sb.TimeoutTermination),
    "external": (ag.ExternalTermination(), sb.ExternalTermination),
    "source-match": (ag.SourceMatchTermination(["a", "b"]), sb.SourceMatchTermination),
    "function-call": (ag.FunctionCallTermination("lookup"), sb.FunctionCallTermination),
    "and": (ag.MaxMessageTermination(3) & ag.TextMentionTermination("X"), sb.AndTerminationCondition),
    "or": (ag.MaxMessageTermination(3) | ag.TimeoutTermination(5), sb.OrTerminationCondition),
}


def _config(spec: dict[str, Any]) -> Any:
    """The parts AutoGen's loader reads: provider and non-null config, recursively (labels are prose)."""
    items = spec["config"].items()
    config = {k: [_config(c) for c in v] if k == "conditions" else v for k, v in items if v is not None}
    return {"provider": spec["provider"], "config": config}


@pytest.mark.parametrize("name", sorted(CONDITIONS))
def test_each_autogen_condition_loads_as_ours_and_dumps_back(name: str) -> None:
    theirs, our_type = CONDITIONS[name]
    spec = theirs.dump_component().model_dump(mode="json")

    ours = load_component(spec, expected="termination")
    assert type(ours) is our_type
    dumped = dump_component(ours)
    assert _config(dumped) == _config(spec)
    again = autogen_load(dumped)
    assert _config(again.dump_component().model_dump(mode="json")) == _config(spec)


def test_a_tool_call_budget_keeps_our_provider_name() -> None:
    dumped = dump_component(sb.ToolCallBudgetTermination(3))
    assert dumped["provider"] == "switchboard.termination.ToolCallBudgetTermination"
    loaded = load_component(dumped)
    assert isinstance(loaded, sb.ToolCallBudgetTermination)
    assert loaded.max_calls == 3


def test_a_function_condition_cannot_be_dumped() -> None:
    with pytest.raises(Exception, match="no declarative form"):
        dump_component(sb.MaxMessageTermination(2) | sb.FunctionalTermination(lambda _: False))


def test_model_contexts_and_list_memory_round_trip_through_autogen() -> None:
    context = load_component(BufferedChatCompletionContext(7).dump_component().model_dump(mode="json"))
    assert isinstance(context, BufferedModelContext)
    assert context.buffer_size == 7
    assert autogen_load(dump_component(context)).dump_component().config == {"buffer_size": 7}
    assert dump_component(load_component(UnboundedChatCompletionContext().dump_component().model_dump()))[
        "provider"
    ] == ("autogen_core.model_context.UnboundedChatCompletionContext")

    memory = AgListMemory(
        name="prefs", memory_contents=[AgMemoryContent(content="metric units", mime_type="text/plain")]
    )
    ours = load_component(memory.dump_component().model_dump(mode="json"), expected="memory")
    assert isinstance(ours, ListMemory)
    assert [c.content for c in ours.content] == ["metric units"]
    back = autogen_load(dump_component(ours))
    assert isinstance(back, AgListMemory)
    assert back.content[0].content == "metric units"


def test_a_local_code_executor_loads_as_our_sandboxed_one_and_back(tmp_path: Path) -> None:
    spec = {
        "provider": "autogen_ext.code_executors.local.LocalCommandLineCodeExecutor",
        "component_type": "code_executor",
        "config": {"timeout": 5, "work_dir": str(tmp_path), "functions_module": "functions"},
    }
    ours = load_component(spec, expected="code_executor")
    assert isinstance(ours, LocalCommandLineCodeExecutor)
    assert ours.timeout == 5
    back = autogen_load(dump_component(ours))
    assert back.timeout == 5
    assert Path(back.work_dir) == tmp_path

    docker = {"provider": "autogen_ext.code_executors.docker.DockerCommandLineCodeExecutor", "config": {}}
    with pytest.raises(ComponentError, match="not on the allow-list"):
        load_component(docker)
