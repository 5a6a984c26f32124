"""Each check catches the drift it is for: break one rule in a copy of infra/ and see a finding at its file and line."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.infra import app_facts
from tests.infra.bicep_checks.entities import entity_findings
from tests.infra.bicep_checks.pinned import pinned_findings
from tests.infra.bicep_checks.rules import app_settings_findings, local_auth_findings, role_findings, secret_findings
from tests.infra.bicep_checks.symbols import parameter_file_findings, symbol_findings
from tests.infra.bicep_checks.syntax import Finding, Infra, syntax_findings
from tests.infra.mutations import INFRA, Breakage, block, break_copy, reported

CHECKS: dict[str, Callable[[Infra], list[Finding]]] = {
    "syntax": syntax_findings,
    "symbols": symbol_findings,
    "entities": lambda infra: entity_findings(infra, app_facts.needed_entities()),
    "settings": lambda infra: app_settings_findings(
        infra, app_facts.required_settings(), app_facts.forbidden_settings(), app_facts.credential_values()
    ),
    "roles": lambda infra: role_findings(infra, app_facts.role_rules(), app_facts.ROLES),
    "local-auth": lambda infra: local_auth_findings(infra, app_facts.LOCAL_AUTH_RULES),
    "secrets": secret_findings,
    "pinned": lambda infra: pinned_findings(infra, app_facts.SANDBOX_RULES, required=[app_facts.SESSION_POOL]),
    "params": lambda infra: parameter_file_findings(infra, infra.root / "main.bicepparam"),
}


ONE_AGENT_QUEUE = """[for name in ['research', 'planner', 'researcher', 'writer', 'reviewer']: {
  parent: namespace
  name: name
  properties: {
    requiresSession: true
  }
}]"""

BREAKAGES = {
    "syntax error": Breakage(
        "syntax",
        "modules/cosmos.bicep",
        "var dataContributor = ",
        "var dataContributor = concat('a' 'b') + ",
        "var dataContributor",
        "cannot parse",
    ),
    "undeclared symbol": Breakage(
        "symbols",
        "modules/identity.bicep",
        "  location: location\n",
        "  location: region\n",
        "location: region",
        "region is not declared",
    ),
    "unknown function": Breakage(
        "symbols",
        "modules/storage.bicep",
        "name: guid(storage.id, principalId, storageBlobDataOwner)",
        "name: guids(storage.id, principalId, storageBlobDataOwner)",
        "guids(",
        "unknown function guids()",
    ),
    "module output that does not exist": Breakage(
        "symbols",
        "main.bicep",
        "cosmosEndpoint: cosmos.outputs.endpoint",
        "cosmosEndpoint: cosmos.outputs.url",
        "cosmos.outputs.url",
        "cosmos.outputs.url",
    ),
    "queue hard-coded without tasks": Breakage(
        "entities",
        "modules/servicebus.bicep",
        block("modules/servicebus.bicep", "resource queues ").split(" = ", 1)[1].rstrip("\n"),
        ONE_AGENT_QUEUE,
        "resource queues ",
        "queue 'tasks'",
    ),
    "queue property that differs from the entity list": Breakage(
        "entities",
        "modules/servicebus.bicep",
        "properties: queue.properties",
        "properties: union(queue.properties, { maxDeliveryCount: 3 })",
        "properties: union(",
        "maxDeliveryCount = 3",
    ),
    "queues from an array known only at deployment": Breakage(
        "entities",
        "modules/servicebus.bicep",
        "[for queue in entities.serviceBus.queues:",
        "[for queue in take(entities.serviceBus.queues, length(name)):",
        "resource queues ",
        "cannot be resolved before deployment",
    ),
    "app setting dropped": Breakage(
        "settings",
        "modules/functionapp.bicep",
        "    COSMOS_ENDPOINT: cosmosEndpoint\n",
        "",
        "resource appSettings ",
        "COSMOS_ENDPOINT is not set",
    ),
    "connection string set": Breakage(
        "settings",
        "modules/functionapp.bicep",
        "    COSMOS_ENDPOINT: cosmosEndpoint\n",
        "    COSMOS_ENDPOINT: cosmosEndpoint\n    ServiceBusConnection: 'Endpoint=sb://x/'\n",
        "ServiceBusConnection:",
        "ServiceBusConnection must not be set",
    ),
    "credential that is not the managed identity": Breakage(
        "settings",
        "modules/functionapp.bicep",
        "ServiceBusConnection__credential: 'managedidentity'",
        "ServiceBusConnection__credential: 'connectionstring'",
        "ServiceBusConnection__credential",
        "must be 'managedidentity'",
    ),
    "session pool endpoint setting dropped": Breakage(
        "settings",
        "modules/functionapp.bicep",
        "    ACA_SESSIONS_ENDPOINT: sessionPoolEndpoint\n",
        "",
        "resource appSettings ",
        "ACA_SESSIONS_ENDPOINT is not set",
    ),
    "sessions emulator token set in Azure": Breakage(
        "settings",
        "modules/functionapp.bicep",
        "    ACA_SESSIONS_ENDPOINT: sessionPoolEndpoint\n",
        "    ACA_SESSIONS_ENDPOINT: sessionPoolEndpoint\n    ACA_SESSIONS_TOKEN: 'local-sessions-emulator-token'\n",
        "ACA_SESSIONS_TOKEN:",
        "ACA_SESSIONS_TOKEN must not be set",
    ),
    "session executor role dropped": Breakage(
        "roles",
        "modules/sessions.bicep",
        block("modules/sessions.bicep", "resource appSessionExecutor "),
        "",
        "resource pool ",
        "Azure ContainerApps Session Executor",
    ),
    "session executor role granted to the developer only": Breakage(
        "roles",
        "main.bicep",
        "    name: 'sp-${resourceToken}'\n    location: region\n    tags: allTags\n"
        "    principalId: identity.outputs.principalId\n",
        "    name: 'sp-${resourceToken}'\n    location: region\n    tags: allTags\n    principalId: userPrincipalId\n",
        "resource pool ",
        "Azure ContainerApps Session Executor",
        at_file="modules/sessions.bicep",
    ),
    "role assignment dropped": Breakage(
        "roles",
        "modules/servicebus.bicep",
        block("modules/servicebus.bicep", "resource appReceiver "),
        "",
        "resource namespace ",
        "Azure Service Bus Data Receiver",
    ),
    "role granted to another principal": Breakage(
        "roles",
        "modules/cosmos.bicep",
        "    principalId: principalId\n    roleDefinitionId",
        "    principalId: userPrincipalId\n    roleDefinitionId",
        "resource account ",
        "Cosmos DB Built-in Data Contributor",
    ),
    "module given another principal than the identity": Breakage(
        "roles",
        "main.bicep",
        "    name: 'cosmos-${resourceToken}'\n    location: region\n    tags: allTags\n"
        "    principalId: identity.outputs.principalId\n",
        "    name: 'cosmos-${resourceToken}'\n    location: region\n    tags: allTags\n"
        "    principalId: userPrincipalId\n",
        "resource account ",
        "Cosmos DB Built-in Data Contributor",
        at_file="modules/cosmos.bicep",
    ),
    "role beyond least privilege": Breakage(
        "roles",
        "modules/servicebus.bicep",
        "var serviceBusDataSender = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'",
        "var serviceBusDataSender = '090c5cfd-751d-490a-894a-3ce6f1109419'",
        "resource appSender ",
        "not in the least-privilege allow-list",
    ),
    "local auth on Service Bus": Breakage(
        "local-auth",
        "modules/servicebus.bicep",
        "disableLocalAuth: true",
        "disableLocalAuth: false",
        "disableLocalAuth: false",
        "leaves local auth on",
    ),
    "local auth on Cosmos DB": Breakage(
        "local-auth",
        "modules/cosmos.bicep",
        "disableLocalAuth: true",
        "disableLocalAuth: false",
        "disableLocalAuth: false",
        "leaves local auth on",
    ),
    "local auth unset on App Insights": Breakage(
        "local-auth",
        "modules/monitoring.bicep",
        "    DisableLocalAuth: true\n",
        "",
        "resource appInsights ",
        "DisableLocalAuth is not set",
    ),
    "shared keys on storage": Breakage(
        "local-auth",
        "modules/storage.bicep",
        "allowSharedKeyAccess: false",
        "allowSharedKeyAccess: true",
        "allowSharedKeyAccess: true",
        "leaves local auth on",
    ),
    "egress enabled on the session pool": Breakage(
        "pinned",
        "modules/sessions.bicep",
        "status: 'EgressDisabled'",
        "status: 'EgressEnabled'",
        "status: 'EgressEnabled'",
        "must be 'EgressDisabled' (model-written code gets no network)",
    ),
    "egress left to the service default": Breakage(
        "pinned",
        "modules/sessions.bicep",
        "    sessionNetworkConfiguration: {\n      status: 'EgressDisabled'\n    }\n",
        "",
        "resource pool ",
        "sessionNetworkConfiguration.status is not set",
    ),
    "session pool of another container type": Breakage(
        "pinned",
        "modules/sessions.bicep",
        "containerType: 'PythonLTS'",
        "containerType: 'Shell'",
        "containerType: 'Shell'",
        "must be 'PythonLTS'",
    ),
    "listKeys output": Breakage(
        "secrets",
        "modules/storage.bicep",
        "@description('Name of the storage account (AzureWebJobsStorage",
        "output accountKey string = storage.listKeys().keys[0].value\n\n"
        "@description('Name of the storage account (AzureWebJobsStorage",
        "output accountKey",
        "listKeys() reads keys",
    ),
    "connection string output": Breakage(
        "secrets",
        "modules/monitoring.bicep",
        "@description('Resource id of the Log Analytics workspace.')",
        "output telemetry string = appInsights.properties.ConnectionString\n\n"
        "@description('Resource id of the Log Analytics workspace.')",
        "output telemetry",
        "may carry a secret",
    ),
    "parameter file setting an unknown parameter": Breakage(
        "params",
        "main.bicepparam",
        "param alertEmail = ",
        "param alertMail = ",
        "param alertMail",
        "alertMail",
    ),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_the_matching_check_reports_the_breakage_at_its_file_and_line(tmp_path: Path, name: str) -> None:
    breakage = BREAKAGES[name]
    infra, line = break_copy(tmp_path, breakage)
    findings = CHECKS[breakage.check](infra)
    assert reported(breakage, line, findings), (line, [str(f) for f in findings])


def test_a_queue_removed_from_the_entity_json_the_bicep_loads_is_reported(tmp_path: Path) -> None:
    copy = tmp_path / "infra"
    shutil.copytree(INFRA, copy)
    listed = json.loads((copy / "entities.json").read_text())
    queues = listed["serviceBus"]["queues"]
    removed = next(q for q in reversed(queues) if q["kind"] == "agent")
    listed["serviceBus"]["queues"] = [q for q in queues if q is not removed]
    (copy / "entities.json").write_text(json.dumps(listed, indent=2))
    source = (copy / "modules/servicebus.bicep").read_text().splitlines()
    line = next(n for n, content in enumerate(source, 1) if content.startswith("resource queues "))
    findings = [str(f) for f in entity_findings(Infra.load(copy), app_facts.needed_entities())]
    kept = sorted(q["name"] for q in listed["serviceBus"]["queues"])
    agent, function = removed["name"], removed["function"]
    assert findings == [
        f"infra/modules/servicebus.bicep:{line}: [entities] queue {agent!r} (trigger of function {function}; the "
        f"publisher sends agent {agent}'s messages to it; entity list) is not deployed by queues (deploys {kept})"
    ]


def test_the_unbroken_copy_has_no_findings(tmp_path: Path) -> None:
    copy = tmp_path / "infra"
    shutil.copytree(INFRA, copy)
    infra = Infra.load(copy)
    assert [str(f) for check in CHECKS.values() for f in check(infra)] == []
