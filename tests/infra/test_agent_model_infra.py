"""A model per agent in Bicep: the real templates deploy an optional second deployment after the first and send the
listed agents to it with the app setting the code reads; undoing any piece in a copy of infra/ is reported at its
file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.models.agent_models import PREFIX
from switchboard.models.settings import ModelSettings
from tests.infra.bicep_checks.agent_models import agent_model_findings
from tests.infra.bicep_checks.syntax import Finding, Infra
from tests.infra.mutations import INFRA, Breakage, break_copy, reported

MODEL_SETTINGS = frozenset(name.upper() for name in ModelSettings.model_fields)


def check(infra: Infra) -> list[Finding]:
    return agent_model_findings(infra, PREFIX, MODEL_SETTINGS)


def test_the_templates_give_agents_a_second_deployment_as_the_code_reads_it() -> None:
    assert check(Infra.load(INFRA)) == []
    main = (INFRA / "main.bicep").read_text()
    # The setting is the one `MODEL__REVIEWER__AZURE_OPENAI_DEPLOYMENT` the code reads for an agent's deployment.
    assert f"'{PREFIX}${{toUpper(replace(agent, '-', '_'))}}__AZURE_OPENAI_DEPLOYMENT'" in main
    assert "AZURE_OPENAI_DEPLOYMENT" in MODEL_SETTINGS


BREAKAGES = {
    "second deployment created with the first": Breakage(
        "agent-models",
        "modules/openai.bicep",
        "  dependsOn: [\n    deployment\n  ]\n",
        "",
        "resource secondDeployment",
        "secondDeployment must dependsOn ['deployment']",
    ),
    "second deployment always created": Breakage(
        "agent-models",
        "modules/openai.bicep",
        "= if (!empty(secondDeploymentName)) {",
        "= {",
        "resource secondDeployment",
        "secondDeployment must be optional",
    ),
    "setting name the code does not read": Breakage(
        "agent-models",
        "main.bicep",
        "__AZURE_OPENAI_DEPLOYMENT'",
        "__DEPLOYMENT'",
        "__DEPLOYMENT'",
        "DEPLOYMENT is not a model setting the app reads",
    ),
    "agent name not upper-cased": Breakage(
        "agent-models",
        "main.bicep",
        "${toUpper(replace(agent, '-', '_'))}",
        "${agent}",
        "agent => 'MODEL__",
        "must be upper-cased",
    ),
    "settings not handed to the Function App": Breakage(
        "agent-models",
        "main.bicep",
        "    agentModelSettings: agentModelSettings\n",
        "",
        "module functionApp",
        "no agentModelSettings for agents on their own model",
    ),
    "settings not merged into the app settings": Breakage(
        "agent-models",
        "modules/functionapp.bicep",
        "  }, agentModelSettings)\n",
        "  })\n",
        "properties: union({",
        "the app settings leave out agentModelSettings",
    ),
    "second deployment name not passed on": Breakage(
        "agent-models",
        "main.bicep",
        "    secondDeploymentName: openAiSecondModelName\n",
        "",
        "module openAi",
        "no secondDeploymentName passed",
    ),
}


@pytest.mark.parametrize("breakage", BREAKAGES.values(), ids=list(BREAKAGES))
def test_each_agent_model_rule_reports_its_breakage(tmp_path: Path, breakage: Breakage) -> None:
    infra, line = break_copy(tmp_path, breakage)
    findings = check(infra)
    assert reported(breakage, line, findings), "\n".join(map(str, findings)) or "no finding"
