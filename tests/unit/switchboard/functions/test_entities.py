"""The entity list: generated from the registry, validated names, and the committed copy in step with both."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from agents.registry import TEAMS
from switchboard.cli.app import app
from switchboard.functions.entities import (
    EntityList,
    EntityNameError,
    agent_names_of,
    build_entities,
    entities_for,
    function_name_for,
)
from tests.support.processes import REPO_ROOT

COMMITTED = REPO_ROOT / "infra" / "entities.json"


def test_committed_entities_json_equals_the_list_generated_from_the_registry() -> None:
    # On failure: `switchboard infra entities --write` and commit infra/entities.json with the registry change.
    assert COMMITTED.read_text(encoding="utf-8") == entities_for(TEAMS).to_json()


def test_every_agent_and_manager_gets_a_session_queue_and_its_function() -> None:
    listed = EntityList.from_json(COMMITTED.read_text(encoding="utf-8"))
    names = agent_names_of(TEAMS)
    # Whatever teams the registry holds: one queue per agent, in registry order, each team's manager first.
    assert list(listed.agent_queues()) == names
    assert [n for n in names if n in TEAMS] == list(TEAMS)
    assert len(names) == len(set(names))
    agent_queues = [q for q in listed.service_bus.queues if q.kind == "agent"]
    assert all(q.properties.requires_session and q.function == function_name_for(q.name) for q in agent_queues)
    (tasks,) = [q for q in listed.service_bus.queues if q.kind == "ingress"]
    assert (tasks.name, tasks.function, tasks.properties.requires_session) == ("tasks", "ingress", False)
    assert listed.tasks_queue == "tasks"
    (topic,) = listed.service_bus.topics
    assert (topic.name, [s.name for s in topic.subscriptions]) == ("run-events", ["monitor"])
    assert (listed.cosmos.database, listed.cosmos.containers[0].name) == ("switchboard", "runs")
    assert listed.cosmos.containers[0].partition_key == "/run_id"


def test_arm_property_names_in_json() -> None:
    queue = json.loads(build_entities(["a-b"]).to_json())["serviceBus"]["queues"][0]
    assert queue == {
        "name": "a-b",
        "function": "agent_a_b",
        "kind": "agent",
        "properties": {
            "requiresSession": True,
            "maxDeliveryCount": 10,
            "lockDuration": "PT1M",
            "requiresDuplicateDetection": True,
            "duplicateDetectionHistoryTimeWindow": "PT10M",
            "deadLetteringOnMessageExpiration": True,
        },
    }


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Planner"], "'Planner' is not a valid queue/function name"),
        (["plan.ner"], "'plan.ner' is not a valid"),
        (["trailing_"], "'trailing_' is not a valid"),
        (["9lives"], "'9lives' is not a valid"),
        (["x" * 51], "is not a valid"),
        (["trailing-"], "'trailing-' is not a valid"),
        (["tasks"], "'tasks' is reserved"),
        (["run-events"], "'run-events' is reserved"),
        (["writer", "writer"], "'writer' names two agents"),
        (["fact-check", "fact_check"], "would both be served by the function 'agent_fact_check'"),
    ],
)
def test_unfit_agent_names_are_refused_with_the_name_and_the_rule(names: list[str], expected: str) -> None:
    with pytest.raises(EntityNameError) as caught:
        build_entities(names)
    assert expected in caught.value.reason


def test_every_offending_name_is_reported_at_once() -> None:
    with pytest.raises(EntityNameError) as caught:
        build_entities(["ok", "Bad", "tasks"])
    assert "'Bad'" in caught.value.reason
    assert "'tasks'" in caught.value.reason
    assert "'ok'" not in caught.value.reason


def test_cli_prints_the_committed_json() -> None:
    result = CliRunner().invoke(app, ["infra", "entities"])
    assert result.exit_code == 0, result.output
    assert result.stdout == COMMITTED.read_text(encoding="utf-8")


def test_cli_prints_the_servicebus_emulator_config() -> None:
    result = CliRunner().invoke(app, ["infra", "entities", "--format", "servicebus-emulator-config"])
    assert result.exit_code == 0, result.output
    (namespace,) = json.loads(result.stdout)["UserConfig"]["Namespaces"]
    queues = {q["Name"]: q["Properties"] for q in namespace["Queues"]}
    assert set(queues) == {*agent_names_of(TEAMS), "tasks"}
    assert all(queues[name]["RequiresSession"] is True for name in agent_names_of(TEAMS))
    assert queues["tasks"]["RequiresSession"] is False
    assert queues["tasks"]["DefaultMessageTimeToLive"] == "PT1H"
    assert namespace["Topics"][0]["Subscriptions"][0]["Name"] == "monitor"


def test_cli_names_an_unloadable_registry() -> None:
    result = CliRunner().invoke(app, ["infra", "entities", "--registry", "no_such_module:TEAMS"])
    assert result.exit_code == 2
    assert "no_such_module" in result.output


def test_a_team_added_to_the_registry_gets_its_queues_and_the_committed_list_is_reported_stale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from switchboard.agentchat import AssistantAgent
    from switchboard.cli.entity_drift import drift
    from switchboard.teams import RoundRobinGroupChat, TeamSpec
    from switchboard.termination import MaxMessageTermination

    def helpdesk(model_client: Any) -> RoundRobinGroupChat:
        answerer = AssistantAgent("answerer", model_client=model_client)
        return RoundRobinGroupChat([answerer], termination=MaxMessageTermination(2), name="helpdesk")

    before = agent_names_of(TEAMS)
    monkeypatch.setitem(TEAMS, "helpdesk", TeamSpec("helpdesk", "d", helpdesk, report_author="answerer"))
    listed = entities_for(TEAMS)
    assert list(listed.agent_queues()) == [*before, "helpdesk", "answerer"]
    assert "lacks the queues ['answerer', 'helpdesk']" in str(drift(COMMITTED, listed))
