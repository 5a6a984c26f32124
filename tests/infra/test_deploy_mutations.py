"""Each issue-22 deployment rule catches the defect it is for: undo one fix in a copy of infra/ and see a finding at
its file and line (`tests/infra/test_deploy_rules.py` shows the real tree passes them)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.infra import deploy_facts
from tests.infra.bicep_checks import deployment, parameters, queries
from tests.infra.bicep_checks.syntax import Finding, Infra
from tests.infra.mutations import INFRA, Breakage, block, break_copy, reported

CHECKS: dict[str, Callable[[Infra], list[Finding]]] = {
    "azd-variables": lambda infra: parameters.azd_variable_findings(
        infra, infra.root / "main.bicepparam", deploy_facts.variable_params()
    ),
    "shadowed": parameters.shadowed_parameter_findings,
    "region": lambda infra: parameters.region_findings(infra, infra.root / "main.bicepparam"),
    "principal-type": deployment.principal_type_findings,
    "cosmos-order": deployment.cosmos_assignment_order_findings,
    "conditional": deployment.conditional_access_findings,
    "api-version": deployment.preview_api_findings,
    "workbook": deployment.workbook_fallback_findings,
    "queries": queries.unused_column_findings,
}

BREAKAGES = {
    # azd reads main.bicepparam only, so every azd variable must be read there.
    "azd variable the bicepparam does not read": Breakage(
        "azd-variables",
        "main.bicepparam",
        "param openAiEndpoint = readEnvironmentVariable('AZURE_OPENAI_ENDPOINT', '')\n",
        "",
        "using 'main.bicep'",
        "azd variable AZURE_OPENAI_ENDPOINT is not read",
    ),
    "principal type the bicepparam does not read": Breakage(
        "azd-variables",
        "main.bicepparam",
        "param userPrincipalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', 'User')\n",
        "",
        "using 'main.bicep'",
        "azd variable AZURE_PRINCIPAL_TYPE is not read",
    ),
    "environment variable without a default": Breakage(
        "azd-variables",
        "main.bicepparam",
        "readEnvironmentVariable('ALERT_EMAIL', '')",
        "readEnvironmentVariable('ALERT_EMAIL')",
        "param alertEmail",
        "has no default",
    ),
    "region hard-coded in the bicepparam": Breakage(
        "region",
        "main.bicepparam",
        "readEnvironmentVariable('AZURE_LOCATION', '')",
        "readEnvironmentVariable('AZURE_LOCATION', 'eastus2')",
        "param location",
        "location defaults to 'eastus2'",
    ),
    "region read without the resource group fallback": Breakage(
        "region",
        "main.bicep",
        "    name: 'id-${resourceToken}'\n    location: region\n",
        "    name: 'id-${resourceToken}'\n    location: location\n",
        "location: location",
        "reads location without its fallback",
    ),
    "deployer principal type fixed to User": Breakage(
        "principal-type",
        "modules/openai.bicep",
        "    principalType: userPrincipalType\n",
        "    principalType: 'User'\n",
        "principalType: 'User'",
        "principalType of userPrincipalId is 'User'",
    ),
    "principal type not passed to a module": Breakage(
        "principal-type",
        "main.bicep",
        "    userPrincipalType: userPrincipalType\n  }\n}\n\nmodule cosmos",
        "  }\n}\n\nmodule cosmos",
        "module serviceBus ",
        "module serviceBus does not pass a principal-type parameter",
    ),
    "managed identity assigned as a user": Breakage(
        "principal-type",
        "modules/monitoring.bicep",
        "principalType: 'ServicePrincipal'",
        "principalType: 'User'",
        "principalType: 'User'",
        "must be 'ServicePrincipal'",
    ),
    "second-model agents variable the bicepparam does not read": Breakage(
        "azd-variables",
        "main.bicepparam",
        "param openAiSecondModelAgents = split(readEnvironmentVariable('AZURE_OPENAI_SECOND_MODEL_AGENTS', ''), ',')\n",
        "",
        "using 'main.bicep'",
        "azd variable AZURE_OPENAI_SECOND_MODEL_AGENTS is not read",
    ),
    "memory variable the bicepparam does not read": Breakage(
        "azd-variables",
        "main.bicepparam",
        "param deployMemory = bool(readEnvironmentVariable('DEPLOY_MEMORY', 'false'))\n",
        "",
        "using 'main.bicep'",
        "azd variable DEPLOY_MEMORY is not read",
    ),
    "embedding dimensions read without a default": Breakage(
        "azd-variables",
        "main.bicepparam",
        "readEnvironmentVariable('SWITCHBOARD_EMBEDDING_DIMENSIONS', '1536')",
        "readEnvironmentVariable('SWITCHBOARD_EMBEDDING_DIMENSIONS')",
        "SWITCHBOARD_EMBEDDING_DIMENSIONS')",
        "has no default",
    ),
    "Cosmos role assignment racing the containers": Breakage(
        "cosmos-order",
        "modules/cosmos.bicep",
        "  dependsOn: [\n    containers\n    memoryContainer\n  ]\n",
        "",
        "resource appDataContributor ",
        "appDataContributor does not depend on containers",
    ),
    "Cosmos role assignment racing the memory container": Breakage(
        "cosmos-order",
        "modules/cosmos.bicep",
        "    containers\n    memoryContainer\n    appDataContributor\n",
        "    containers\n    appDataContributor\n",
        "resource userDataContributor ",
        "userDataContributor does not depend on memoryContainer",
    ),
    "Cosmos role assignments racing each other": Breakage(
        "cosmos-order",
        "modules/cosmos.bicep",
        "    memoryContainer\n    appDataContributor\n",
        "    memoryContainer\n",
        "resource userDataContributor ",
        "userDataContributor does not depend on appDataContributor",
    ),
    "conditional module output read plainly": Breakage(
        "conditional",
        "main.bicep",
        "openAiEndpoint: openAi.?outputs.endpoint ?? openAiEndpoint",
        "openAiEndpoint: deployOpenAi ? openAi.outputs.endpoint : openAiEndpoint",
        "openAiEndpoint: deployOpenAi",
        "openAi.outputs.endpoint reads openAi, which is deployed only when its condition holds",
    ),
    "conditional module output without a fallback": Breakage(
        "conditional",
        "main.bicep",
        "string = openAi.?outputs.endpoint ?? openAiEndpoint",
        "string = openAi.?outputs.endpoint",
        "output AZURE_OPENAI_ENDPOINT",
        "is null when openAi is not deployed",
    ),
    "conditional resource id read plainly": Breakage(
        "conditional",
        "modules/alerts.bicep",
        "actionGroupId: actionGroup.?id ?? ''",
        "actionGroupId: actionGroup.id",
        "actionGroupId:",
        "actionGroup.id reads actionGroup",
    ),
    "preview Service Bus API version": Breakage(
        "api-version",
        "modules/servicebus.bicep",
        "resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01'",
        "resource namespace 'Microsoft.ServiceBus/namespaces@2022-10-01-preview'",
        "resource namespace ",
        "uses preview API version 2022-10-01-preview",
    ),
    "workbook without its fallback resource": Breakage(
        "workbook",
        "modules/workbook.bicep",
        block("modules/workbook.bicep", "resource workbook ")
        .split("serializedData: ", 1)[1]
        .split("\n    sourceId", 1)[0],
        "loadTextContent('../workbook.json')",
        "serializedData:",
        "no fallbackResourceIds with its sourceId (appInsightsId)",
    ),
    "saved query column computed and dropped": Breakage(
        "queries",
        "queries/error_rates.kql",
        'runs_failed = countif(outcome == "run-failed"), ',
        "",
        "outcome = tostring",
        "column outcome is computed but never read: summarize drops it",
    ),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_the_matching_check_reports_the_undone_fix_at_its_file_and_line(tmp_path: Path, name: str) -> None:
    breakage = BREAKAGES[name]
    infra, line = break_copy(tmp_path, breakage)
    findings = CHECKS[breakage.check](infra)
    assert reported(breakage, line, findings), (line, [str(f) for f in findings])


def test_a_parameters_json_azd_would_ignore_is_reported(tmp_path: Path) -> None:
    copy = tmp_path / "infra"
    shutil.copytree(INFRA, copy)
    (copy / "main.parameters.json").write_text(
        '{"parameters": {"openAiEndpoint": {"value": "${AZURE_OPENAI_ENDPOINT}"}}}'
    )
    findings = [str(f) for f in parameters.shadowed_parameter_findings(Infra.load(copy))]
    assert len(findings) == 1
    assert findings[0].startswith(
        "infra/main.parameters.json:1: [params] azd ignores this file because main.bicepparam"
    )


def test_the_unbroken_copy_has_no_deployment_findings(tmp_path: Path) -> None:
    copy = tmp_path / "infra"
    shutil.copytree(INFRA, copy)
    infra = Infra.load(copy)
    assert [str(f) for check in CHECKS.values() for f in check(infra)] == []
