"""Offline checks that the Functions host would accept `function_app.py` (see research/functions_infra.md §1.5)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import azure.functions as func

import function_app

REPO = Path(__file__).resolve().parents[2]
# The host's function-name rule (Utility.cs) and the binding-name rule (host >= 4.1038).
FUNCTION_NAME = re.compile(r"^[a-z][a-z0-9_\-]{0,127}$", re.IGNORECASE)
BINDING_NAME = re.compile(r"^(?!.*__)([a-zA-Z_][a-zA-Z0-9_]{0,127}|\$return)$")


def test_every_function_indexes_with_valid_names_and_bindings() -> None:
    functions = function_app.app.get_functions()
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


def test_health_answers_ok_without_secrets() -> None:
    request = func.HttpRequest(method="GET", url="/api/health", body=b"", headers={})
    response = function_app.health(request)
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
