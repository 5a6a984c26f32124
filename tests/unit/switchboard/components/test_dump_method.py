"""`.dump_component()` is on every kind that has a declarative form, as on AutoGen's classes, and writes what
`switchboard.dump_component` writes (AutoGen loads it back)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from switchboard import dump_component, load_component
from switchboard.agentchat import AssistantAgent
from switchboard.agentchat.model_context import BufferedModelContext
from switchboard.code_execution.local import LocalCommandLineCodeExecutor
from switchboard.components import ComponentError
from switchboard.memory import ListMemory
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.teams import RoundRobinGroupChat
from switchboard.termination import FunctionalTermination, MaxMessageTermination, TextMentionTermination
from switchboard.tools import FunctionTool
from tests.support.autogen_components import autogen_load


def _lookup(city: str) -> str:
    """Look a city up.

    Args:
        city: The city.
    """
    return city


def _objects(tmp_path: Path) -> list[Any]:
    model = ScriptedModelClient(Script.model_validate({"agents": {"*": [{"content": "DONE"}]}}))
    writer = AssistantAgent("writer", model_client=model, system_message="Write.")
    termination = TextMentionTermination("DONE") | MaxMessageTermination(4)
    team = RoundRobinGroupChat([writer], termination=termination)
    return [
        team,
        writer,
        termination,
        model,
        BufferedModelContext(5),
        FunctionTool(_lookup),
        LocalCommandLineCodeExecutor(work_dir=tmp_path),
        ListMemory(name="notes"),
    ]


def test_every_declarative_kind_has_the_method_and_it_writes_what_the_function_writes(tmp_path: Path) -> None:
    for value in _objects(tmp_path):
        if isinstance(value, FunctionTool):
            # A plain tool's JSON names it; it loads back only from a registry that allows it.
            assert value.dump_component()["config"]["name"] == "_lookup"
            continue
        dumped = value.dump_component()
        assert dumped == dump_component(value), type(value).__name__
        assert type(load_component(dumped)) is type(value), type(value).__name__


def test_autogen_loads_a_teams_method_dump() -> None:
    model = ScriptedModelClient(Script.model_validate({"agents": {"*": [{"content": "DONE"}]}}))
    team = RoundRobinGroupChat(
        [AssistantAgent("critic_agent", model_client=model, system_message="Review.")],
        termination=MaxMessageTermination(3),
    )
    loaded = autogen_load(team.dump_component())
    assert type(loaded).__name__ == "RoundRobinGroupChat"


def test_what_has_no_declarative_form_is_refused_by_the_method_too() -> None:
    condition = MaxMessageTermination(2) | FunctionalTermination(lambda _: False)
    with pytest.raises(ComponentError, match="no declarative form"):
        condition.dump_component()
