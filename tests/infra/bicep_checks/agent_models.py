"""A model per agent in the templates: a second Azure OpenAI deployment, and the app setting that sends an agent to it.

The app reads `MODEL__<AGENT>__<model setting>` (switchboard/models/agent_models.py). The templates must build that
name (the prefix, the agent's name upper-cased, a model setting the code reads), hand the settings to the Function
App, merge them into its app settings, and create the second deployment only after the first (an Azure OpenAI account
changes one deployment at a time).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from tests.infra.bicep_checks.syntax import Finding, Infra, body, lookup, text, value_of, walk

DEPLOYMENT = "Microsoft.CognitiveServices/accounts/deployments"
SETTINGS_PARAM = "agentModelSettings"
"""The Function App module's parameter holding the per-agent settings."""


def agent_model_findings(infra: Infra, prefix: str, model_settings: Collection[str]) -> list[Finding]:
    """Where the templates would not give an agent its own model deployment the way the code reads it.

    Args:
        infra: The templates.
        prefix: What every per-agent setting name starts with (`MODEL__`).
        model_settings: The setting names the code accepts after `MODEL__<AGENT>__`.
    """
    return [*_name_findings(infra, prefix, model_settings), *_merge_findings(infra), *_deployment_findings(infra)]


def _name_findings(infra: Infra, prefix: str, model_settings: Collection[str]) -> list[Finding]:
    findings: list[Finding] = []
    template = re.compile(rf"^'{re.escape(prefix)}\$\{{(?P<agent>.*)\}}__(?P<setting>\w+)'$", re.DOTALL)
    for bicep in infra:
        for symbol, target, module in bicep.modules():
            if target.name == "openai.bicep" and lookup(body(module), "params", "secondDeploymentName") is None:
                findings.append(bicep.finding(module, "agent-models", f"{symbol}: no secondDeploymentName passed"))
            passed = lookup(body(module), "params", SETTINGS_PARAM)
            if target.name != "functionapp.bicep":
                continue
            if passed is None:
                findings.append(
                    bicep.finding(
                        module, "agent-models", f"{symbol}: no {SETTINGS_PARAM} for agents on their own model"
                    )
                )
                continue
            names = [
                (node, match)
                for node in walk(bicep.root)
                if node.type == "string" and (match := template.match(text(node)))
            ]
            if not names:
                findings.append(
                    bicep.finding(
                        passed, "agent-models", f"no app setting named {prefix}<AGENT>__<setting> is built for agents"
                    )
                )
            for node, match in names:
                if match["setting"] not in model_settings:
                    findings.append(
                        bicep.finding(
                            node, "agent-models", f"{match['setting']} is not a model setting the app reads after "
                            f"{prefix}<AGENT>__"
                        )
                    )  # fmt: skip
                if "toUpper(" not in match["agent"]:
                    findings.append(
                        bicep.finding(node, "agent-models", "the agent's part of the name must be upper-cased")
                    )
    return findings


def _merge_findings(infra: Infra) -> list[Finding]:
    findings: list[Finding] = []
    for bicep in infra:
        if SETTINGS_PARAM not in bicep.declarations("param"):
            continue
        for symbol, _kind, declaration in bicep.resources("Microsoft.Web/sites/config"):
            settings = lookup(body(declaration), "properties")
            merged = settings is not None and any(
                node.type == "identifier" and text(node) == SETTINGS_PARAM for node in walk(value_of(settings))
            )
            if not merged:
                findings.append(
                    bicep.finding(
                        settings or declaration,
                        "agent-models",
                        f"{symbol}: the app settings leave out {SETTINGS_PARAM}",
                    )
                )
    return findings


def _deployment_findings(infra: Infra) -> list[Finding]:
    findings: list[Finding] = []
    for bicep in infra:
        deployments = [(symbol, node) for symbol, kind, node in bicep.resources(DEPLOYMENT) if kind == DEPLOYMENT]
        if not deployments:
            continue
        if len(deployments) < 2:
            findings.append(bicep.finding(deployments[0][1], "agent-models", "no second model deployment"))
        for index, (symbol, node) in enumerate(deployments[1:], 1):
            earlier = {name for name, _ in deployments[:index]}
            after = lookup(body(node), "dependsOn")
            named = {text(n) for n in walk(value_of(after))} if after is not None else set()
            if not earlier & named:
                findings.append(
                    bicep.finding(
                        after or node,
                        "agent-models",
                        f"{symbol} must dependsOn {sorted(earlier)}: an account changes one deployment at a time",
                    )
                )
            if node.children[-1].type != "if_statement":
                findings.append(bicep.finding(node, "agent-models", f"{symbol} must be optional (an `if`)"))
    return findings
