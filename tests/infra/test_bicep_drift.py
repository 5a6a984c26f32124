"""The templates stay in step with the code: entities, app settings, roles, local auth off, no secrets (offline)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.infra import app_facts
from tests.infra.bicep_checks.entities import entity_findings
from tests.infra.bicep_checks.pinned import pinned_findings
from tests.infra.bicep_checks.resources import instances
from tests.infra.bicep_checks.rules import (
    app_settings,
    app_settings_findings,
    local_auth_findings,
    role_findings,
    secret_findings,
)
from tests.infra.bicep_checks.syntax import Infra, string_literal

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def infra() -> Infra:
    return Infra.load(REPO / "infra")


def test_the_facts_come_from_the_code() -> None:
    entities = {(e.kind, e.name) for e in app_facts.needed_entities()}
    triggers = {b["queueName"] for _, b in app_facts.bindings() if b["type"] == "serviceBusTrigger"}
    assert triggers
    assert {("queue", queue) for queue in triggers} <= entities
    assert {("queue", "tasks"), ("topic", "run-events"), ("container", "switchboard/runs")} <= entities
    required = app_facts.required_settings()
    # From HostingSettings' aliases, ModelSettings' fields and the bindings' connection prefix.
    assert {"COSMOS_ENDPOINT", "AZURE_OPENAI_ENDPOINT", "ServiceBusConnection__fullyQualifiedNamespace"} <= set(
        required
    )
    assert {"COSMOS_KEY", "AZURE_OPENAI_API_KEY", "ServiceBusConnection"} <= set(app_facts.forbidden_settings())
    # The code executor's pool endpoint (the name executor_from_settings reads); its emulator token stays local.
    assert "ACA_SESSIONS_ENDPOINT" in required
    assert "ACA_SESSIONS_TOKEN" in app_facts.forbidden_settings()
    assert any(rule.resource_type == app_facts.SESSION_POOL for rule in app_facts.role_rules())


def test_every_queue_topic_and_container_the_app_uses_is_deployed_as_listed(infra: Infra) -> None:
    assert entity_findings(infra, app_facts.needed_entities()) == []


def test_every_setting_the_app_reads_is_set_on_the_function_app(infra: Infra) -> None:
    findings = app_settings_findings(
        infra, app_facts.required_settings(), app_facts.forbidden_settings(), app_facts.credential_values()
    )
    assert findings == []


def test_the_identity_has_a_least_privilege_role_on_every_resource_the_app_touches(infra: Infra) -> None:
    assert role_findings(infra, app_facts.role_rules(), app_facts.ROLES) == []


def test_local_auth_is_off_on_every_resource_that_has_keys(infra: Infra) -> None:
    assert local_auth_findings(infra, app_facts.LOCAL_AUTH_RULES) == []
    deployed = {rule.resource_type for rule in app_facts.LOCAL_AUTH_RULES if list(instances(infra, rule.resource_type))}
    assert {"Microsoft.ServiceBus/namespaces", "Microsoft.DocumentDB/databaseAccounts"} <= deployed
    assert "Microsoft.Insights/components" in deployed


def test_no_key_sas_or_secret_connection_string_appears(infra: Infra) -> None:
    assert secret_findings(infra) == []


def test_the_function_app_runs_python_of_the_project_as_the_user_assigned_identity(infra: Infra) -> None:
    (site,) = instances(infra, "Microsoft.Web/sites")
    assert site.value("kind") == "functionapp,linux"
    assert site.value("identity", "type") == "UserAssigned"
    storage = site.value("properties", "functionAppConfig", "deployment", "storage", "authentication", "type")
    assert storage == "UserAssignedIdentity"
    python = site.bicep.declarations("param")["pythonVersion"].children[-1]
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mypy"]["python_version"]
    assert string_literal(python) == project
    settings = app_settings(infra)
    assert "FUNCTIONS_WORKER_RUNTIME" not in settings  # Flex Consumption: the runtime is in functionAppConfig


def test_the_service_bus_namespace_is_standard_for_sessions_and_topics(infra: Infra) -> None:
    (namespace,) = instances(infra, "Microsoft.ServiceBus/namespaces")
    assert namespace.value("sku", "name") == "Standard"


def test_cosmos_db_is_serverless_with_vector_and_full_text_search(infra: Infra) -> None:
    (account,) = instances(infra, "Microsoft.DocumentDB/databaseAccounts")
    capabilities = [capability["name"] for capability in account.value("properties", "capabilities")]
    assert capabilities == ["EnableServerless", "EnableNoSQLVectorSearch", "EnableNoSQLFullTextSearch"]


def test_the_code_execution_session_pool_runs_python_without_egress(infra: Infra) -> None:
    assert pinned_findings(infra, app_facts.SANDBOX_RULES, required=[app_facts.SESSION_POOL]) == []


def test_alerts_watch_dead_letters_and_function_failures(infra: Infra) -> None:
    metrics = {
        criterion["metricName"]
        for alert in instances(infra, "Microsoft.Insights/metricAlerts")
        for criterion in alert.value("properties", "criteria", "allOf")
    }
    assert {"DeadletteredMessages", "requests/failed"} <= metrics


@pytest.mark.parametrize("module", ["servicebus.bicep", "cosmos.bicep"])
def test_the_entity_modules_load_the_generated_entity_list(module: str) -> None:
    # One entity list: the Bicep reads infra/entities.json (`switchboard infra entities`), it never copies it.
    assert "loadJsonContent('../entities.json')" in (REPO / "infra" / "modules" / module).read_text()
