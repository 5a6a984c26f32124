"""Offline checks that the Functions host would accept `function_app.py` (see research/functions_infra.md §1.5)."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import azure.functions as func

import function_app
from agents.registry import TEAMS
from switchboard.functions.entities import agent_names_of, entities_for, function_name_for
from switchboard.local_host.validation import IndexedFunction, validate_function

REPO = Path(__file__).resolve().parents[2]
# The host's function-name rule (Utility.cs) and the binding-name rule (host >= 4.1038).
FUNCTION_NAME = re.compile(r"^[a-z][a-z0-9_\-]{0,127}$", re.IGNORECASE)
BINDING_NAME = re.compile(r"^(?!.*__)([a-zA-Z_][a-zA-Z0-9_]{0,127}|\$return)$")


@functools.cache
def _functions() -> list[Any]:
    # The library builds the functions once: a second get_functions() on the same app reports duplicate names.
    return list(function_app.app.get_functions())


def index_app(_app: object) -> list[IndexedFunction]:
    return [validate_function(function) for function in _functions()]


def test_every_function_indexes_with_valid_names_and_bindings() -> None:
    functions = _functions()
    assert functions, "the app declares no functions"
    names = [f.get_function_name() for f in functions]
    assert len(names) == len(set(names))
    for fn in functions:
        name = fn.get_function_name()
        assert name is not None
        assert FUNCTION_NAME.match(name), name
        assert name.lower() != "host"
        assert fn.get_trigger() is not None
        document = json.loads(fn.get_function_json())
        assert document["scriptFile"] == "function_app.py"
        for binding in document["bindings"]:
            assert BINDING_NAME.match(binding["name"]), binding


def test_the_local_host_validator_accepts_the_app_as_the_functions_host_would() -> None:
    # The same rules `switchboard host` enforces at start-up: names, one trigger, parameters = bindings, annotations.
    indexed = index_app(function_app.app)
    assert [f.name for f in indexed] == [f.get_function_name() for f in _functions()]


def test_one_session_triggered_function_per_agent_and_manager_from_the_registry() -> None:
    entities = entities_for(TEAMS)
    agents = agent_names_of(TEAMS)
    triggers = {fn.name: fn.trigger for fn in index_app(function_app.app) if fn.trigger_type == "serviceBusTrigger"}
    expected = {function_name_for(agent): agent for agent in agents}
    assert set(triggers) == {*expected, "ingress"}
    for name, agent in expected.items():
        trigger = triggers[name]
        assert trigger["queueName"] == entities.agent_queues()[agent] == agent
        assert trigger["isSessionsEnabled"] is True
        assert trigger["connection"] == "ServiceBusConnection"
        # Functions settle explicitly (dead-letter at once with a reason), matching host.json.
        assert trigger["autoCompleteMessages"] is False
    assert triggers["ingress"]["queueName"] == entities.tasks_queue == "tasks"
    assert not triggers["ingress"].get("isSessionsEnabled")
    queues = {queue.name: queue for queue in entities.service_bus.queues}
    for agent in agents:
        assert queues[agent].properties.requires_session is True


def test_the_http_api_of_the_contract_table_with_function_level_auth() -> None:
    routes = {
        fn.name: (fn.trigger["route"], tuple(fn.trigger["methods"]), fn.trigger["authLevel"])
        for fn in index_app(function_app.app)
        if fn.trigger_type == "httpTrigger"
    }
    assert routes == {
        "runs_create": ("runs", ("POST",), "FUNCTION"),
        "runs_get": ("runs/{run_id}", ("GET",), "FUNCTION"),
        "runs_cancel": ("runs/{run_id}/cancel", ("POST",), "FUNCTION"),
        "runs_input": ("runs/{run_id}/input", ("POST",), "FUNCTION"),
        # Re-drives a failed run (docs/hosting.md, "Stranded runs and retention").
        "runs_resume": ("runs/{run_id}/resume", ("POST",), "FUNCTION"),
        "health": ("health", ("GET",), "ANONYMOUS"),
        # For tools such as Switchboard Studio (docs/studio.md).
        "runs_list": ("runs", ("GET",), "FUNCTION"),
        "teams_list": ("teams", ("GET",), "FUNCTION"),
        "deadletters_list": ("deadletters", ("GET",), "FUNCTION"),
        "deadletters_show": ("deadletters/{queue}/{message_id}", ("GET",), "FUNCTION"),
        "deadletters_replay": ("deadletters/{queue}/{message_id}/replay", ("POST",), "FUNCTION"),
    }


def test_health_answers_ok_without_secrets() -> None:
    health = next(fn for fn in index_app(function_app.app) if fn.name == "health")
    request = func.HttpRequest(method="GET", url="/api/health", body=b"", headers={})
    response = health.user_function(request)
    assert response.status_code == 200
    assert json.loads(response.get_body()) == {"status": "ok", "switchboard": "0.1.0"}


def test_host_json_uses_bundle_4_and_settles_messages_itself() -> None:
    host = json.loads((REPO / "host.json").read_text())
    assert host["version"] == "2.0"
    assert host["extensionBundle"]["version"] == "[4.*, 5.0.0)"
    service_bus = host["extensions"]["serviceBus"]
    # Switchboard settles messages itself (dead-letter with a reason, abandon on transient errors).
    assert service_bus["autoCompleteMessages"] is False
    assert service_bus["maxConcurrentCallsPerSession"] == 1


def test_local_settings_example_points_at_the_local_emulators() -> None:
    values = json.loads((REPO / "local.settings.example.json").read_text())["Values"]
    assert values["FUNCTIONS_WORKER_RUNTIME"] == "python"
    assert "UseDevelopmentEmulator=true;" in values["ServiceBusConnection"]
    assert values["COSMOS_ENDPOINT"].startswith("http://127.0.0.1:8081")  # the emulator serves HTTP too: no cert


def test_requirements_cover_the_runtime_imports() -> None:
    wanted = {line.split(">")[0].split("=")[0].strip() for line in (REPO / "requirements.txt").read_text().splitlines()}
    assert {"azure-functions", "pydantic", "azure-servicebus", "azure-cosmos", "openai"} <= wanted


def test_funcignore_keeps_dev_only_trees_out_of_the_package() -> None:
    ignored = set((REPO / ".funcignore").read_text().split())
    assert {"tests", "local_emulators", "benchmarks", ".venv", "local.settings.json"} <= ignored


def test_the_sweeper_is_a_timer_function_on_the_schedule_setting() -> None:
    sweeper = next(fn for fn in index_app(function_app.app) if fn.name == "sweeper")
    assert sweeper.trigger_type == "timerTrigger"
    # From the app setting when it is set (Bicep sets it), else every five minutes.
    assert sweeper.trigger["schedule"] in ("%SweeperSchedule%", "0 */5 * * * *")
    assert sweeper.annotations["timer"] is func.TimerRequest
