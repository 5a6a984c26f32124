"""The deployment works on a real `azd up` and in CI (issue 22), checked offline.

azd reads infra/main.bicepparam (not main.parameters.json), so every variable users set must be read there; a
service principal must be able to deploy; the region falls back to the resource group's; Cosmos DB role assignments
must not race; conditional modules are read null-safely; Service Bus uses its GA API; the workbook has a fallback
resource; and no saved query computes a column it drops.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.infra import app_facts, deploy_facts
from tests.infra.bicep_checks import deployment, parameters, queries
from tests.infra.bicep_checks.resources import instances
from tests.infra.bicep_checks.syntax import Infra, api_version, text

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
PARAMS = INFRA / "main.bicepparam"


@pytest.fixture(scope="module")
def infra() -> Infra:
    return Infra.load(INFRA)


def reads(infra: Infra) -> dict[str, parameters.EnvironmentRead]:
    return {read.variable: read for read in parameters.environment_reads(parameters.load_parameters(infra, PARAMS))}


def test_the_bicepparam_azd_uses_reads_every_documented_variable_into_its_parameter(infra: Infra) -> None:
    documented = deploy_facts.variable_params()
    assert parameters.azd_variable_findings(infra, PARAMS, documented) == []
    assert {
        "AZURE_ENV_NAME",
        "AZURE_LOCATION",
        "AZURE_PRINCIPAL_ID",
        "AZURE_PRINCIPAL_TYPE",
        "DEPLOY_OPENAI",
        "AZURE_OPENAI_ENDPOINT",
        "AZURE_OPENAI_DEPLOYMENT",
        "ALERT_EMAIL",
    } <= set(documented)
    # The model settings the code reads are among them: "use my existing Azure OpenAI" reaches the app.
    assert {"AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT"} <= set(app_facts.settings_read()) & set(documented)


def test_every_azd_env_set_in_the_docs_is_a_documented_variable() -> None:
    documented = set(deploy_facts.variable_params())
    named = deploy_facts.documented_azd_sets()
    assert {"AZURE_LOCATION", "DEPLOY_OPENAI", "AZURE_PRINCIPAL_TYPE"} <= set(named)
    assert {variable: files for variable, files in named.items() if variable not in documented} == {}


def test_the_documented_defaults_are_the_bicepparam_defaults(infra: Infra) -> None:
    read = reads(infra)
    for row in deploy_facts.azd_variables():
        documented = re.match(r"`([^`]*)`", row.default)
        assert documented is not None, row
        expected = "" if documented.group(1) == "''" else documented.group(1)
        assert read[row.variable].default == expected, row.variable


def test_no_parameters_json_sits_beside_the_bicepparam(infra: Infra) -> None:
    assert parameters.shadowed_parameter_findings(infra) == []
    assert not (INFRA / "main.parameters.json").exists()


def test_a_service_principal_can_deploy(infra: Infra) -> None:
    assert deployment.principal_type_findings(infra) == []
    read = reads(infra)["AZURE_PRINCIPAL_TYPE"]
    assert (read.param, read.default) == ("userPrincipalType", "User")
    allowed = re.search(r"@allowed\(\[([^\]]*)\]\)\s*param userPrincipalType ", (INFRA / "main.bicep").read_text())
    assert allowed is not None
    assert set(re.findall(r"'(\w+)'", allowed.group(1))) == {"User", "Group", "ServicePrincipal"}
    deployer = [
        a
        for a in instances(infra, deployment.ROLE_ASSIGNMENT)
        if text(a.node("properties", "principalType")).endswith("userPrincipalType")
    ]
    assert {a.bicep.name for a in deployer} == {
        "infra/modules/servicebus.bicep",
        "infra/modules/openai.bicep",
        "infra/modules/sessions.bicep",
    }


def test_the_region_defaults_to_the_resource_groups(infra: Infra) -> None:
    assert parameters.region_findings(infra, PARAMS) == []
    assert reads(infra)["AZURE_LOCATION"].default == ""
    source = (INFRA / "main.bicep").read_text()
    assert "var region = empty(location) ? resourceGroup().location : location" in source


def test_cosmos_role_assignments_wait_for_the_containers_and_each_other(infra: Infra) -> None:
    assert deployment.cosmos_assignment_order_findings(infra) == []
    cosmos = next(bicep for bicep in infra if bicep.name == "infra/modules/cosmos.bicep")
    assignments = [s for s, kind, _ in cosmos.resources(deployment.COSMOS_ROLE_ASSIGNMENT)]
    assert assignments == ["appDataContributor", "userDataContributor"]


def test_conditional_modules_and_resources_are_read_null_safely(infra: Infra) -> None:
    assert deployment.conditional_access_findings(infra) == []
    main = "\n".join(line.split("//", 1)[0] for line in (INFRA / "main.bicep").read_text().splitlines())
    assert main.count("openAi.?outputs.") == 5
    assert "openAi.outputs." not in main


def test_every_resource_uses_a_ga_api_version_and_service_bus_2024_01_01(infra: Infra) -> None:
    assert deployment.preview_api_findings(infra) == []
    service_bus = next(bicep for bicep in infra if bicep.name == "infra/modules/servicebus.bicep")
    assert {api_version(node) for _, _, node in service_bus.resources("Microsoft.ServiceBus")} == {"2024-01-01"}


def test_the_workbook_falls_back_to_its_app_insights_component(infra: Infra) -> None:
    assert deployment.workbook_fallback_findings(infra) == []
    (workbook,) = instances(infra, deployment.WORKBOOK)
    assert text(workbook.node("properties", "sourceId")).endswith("appInsightsId")


def test_no_saved_query_computes_a_column_it_drops(infra: Infra) -> None:
    assert queries.unused_column_findings(infra) == []
    error_rates = (INFRA / "queries" / "error_rates.kql").read_text()
    assert 'countif(outcome == "run-failed")' in error_rates
