"""Drift rules over the deployed resources: app settings, role assignments, local auth, and secrets.

Each rule takes what the application needs (derived by the caller from the code) and reports, with file and line,
where the templates fall short.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tree_sitter import Node

from tests.infra.bicep_checks.evaluate import UNKNOWN
from tests.infra.bicep_checks.resources import (
    Instance,
    evaluator,
    identity_params,
    instances,
    is_identity_principal,
)
from tests.infra.bicep_checks.syntax import (
    Finding,
    Infra,
    body,
    lookup,
    named_children,
    properties,
    text,
    value_of,
    walk,
)

SITE = "Microsoft.Web/sites"
SITE_CONFIG = "Microsoft.Web/sites/config"
ROLE_ASSIGNMENT = "Microsoft.Authorization/roleAssignments"
COSMOS_ROLE_ASSIGNMENT = "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments"
GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def app_settings(infra: Infra) -> dict[str, tuple[Instance, Node]]:
    """Every app setting of every Function App: name → (resource, property node).

    Settings come from `Microsoft.Web/sites/config` resources named `appsettings` (their `properties` keys, also
    through variables and `union`) and from `siteConfig.appSettings` name/value lists of `Microsoft.Web/sites`.
    """
    found: dict[str, tuple[Instance, Node]] = {}
    for instance in instances(infra, SITE_CONFIG):
        if instance.value("name") != "appsettings":
            continue
        settings = instance.value("properties")
        keys = settings if isinstance(settings, dict) else {}
        literal = lookup(body(instance.declaration), "properties")
        # `union({...fixed...}, extra)`: the literal objects' settings are set whatever the extra ones turn out to be.
        objects = _literal_objects(value_of(literal)) if literal is not None else []
        nodes = {key: node for obj in objects for key, node in properties(obj).items()}
        for key in (*keys, *nodes):
            found[key] = (instance, nodes.get(key, instance.node("properties")))
    for instance in instances(infra, SITE):
        listed = instance.value("properties", "siteConfig", "appSettings")
        for entry in listed if isinstance(listed, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                found[entry["name"]] = (instance, instance.node("properties", "siteConfig", "appSettings"))
    return found


def _literal_objects(node: Node) -> list[Node]:
    """The object literals an app settings value is made of: itself, or the object arguments of a `union`."""
    if node.type == "object":
        return [node]
    if node.type == "call_expression" and text(named_children(node)[0]) == "union":
        return [obj for argument in named_children(named_children(node)[-1]) for obj in _literal_objects(argument)]
    return []


def app_settings_findings(
    infra: Infra,
    required: Mapping[str, str],
    forbidden: Mapping[str, str],
    values: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Settings the app reads that no Function App sets, settings that must not be set, and wrong literal values.

    Args:
        infra: The templates.
        required: Setting name → why the app needs it (printed in findings).
        forbidden: Setting name → why it must not be set in Azure (a secret, a connection string, a Flex rule).
        values: Setting name → the literal it must have (e.g. `managedidentity` for `__credential`).
    """
    sites = list(instances(infra, SITE))
    if not sites:
        return [next(iter(infra)).finding(None, "settings", "no Function App (Microsoft.Web/sites) is declared")]
    settings = app_settings(infra)
    holder = next((instance for instance, _ in settings.values()), sites[0])
    findings = [
        holder.bicep.finding(holder.declaration, "settings", f"app setting {name} is not set ({why})")
        for name, why in required.items()
        if name not in settings
    ]
    for name, why in forbidden.items():
        if name in settings:
            instance, node = settings[name]
            findings.append(instance.bicep.finding(node, "settings", f"app setting {name} must not be set: {why}"))
    for name, expected in (values or {}).items():
        if name in settings:
            instance, node = settings[name]
            actual = (
                evaluator(instance.bicep).value(value_of(node), instance.scope)
                if node.type == "object_property" and instance.scope is not None
                else UNKNOWN
            )
            if actual != expected:
                findings.append(
                    instance.bicep.finding(node, "settings", f"app setting {name} must be {expected!r}, not {actual!r}")
                )
    return findings


@dataclass(frozen=True)
class RoleRule:
    """A resource type the app touches and the roles its identity needs there.

    Attributes:
        resource_type: e.g. `Microsoft.ServiceBus/namespaces`.
        why: What in the app touches it (printed in findings).
        roles: Role definition GUID → role name; every one must be granted to the identity on every such resource.
    """

    resource_type: str
    why: str
    roles: Mapping[str, str]


def role_findings(infra: Infra, rules: Sequence[RoleRule], allowed: Mapping[str, str]) -> list[Finding]:
    """Resources the app touches without the identity's roles; role assignments outside the allow-list.

    Args:
        infra: The templates.
        rules: What the identity needs, per resource type; a type with no deployed resource is a finding too.
        allowed: Every role GUID any principal may get (least privilege): GUID → role name.
    """
    params = identity_params(infra)
    grants: dict[tuple[str, str], set[str]] = {}  # (file, scope resource symbol) → role GUIDs for the identity
    findings: list[Finding] = []
    for kind, scope_key in ((ROLE_ASSIGNMENT, "scope"), (COSMOS_ROLE_ASSIGNMENT, "parent")):
        for assignment in instances(infra, kind):
            role = GUID.findall(str(assignment.value("properties", "roleDefinitionId")))
            if not role:
                findings.append(_finding(assignment, "roles", "its roleDefinitionId cannot be resolved to a role GUID"))
                continue
            if role[-1].lower() not in allowed:
                findings.append(
                    _finding(assignment, "roles", f"role {role[-1]} is not in the least-privilege allow-list")
                )
            scope = lookup(body(assignment.declaration), scope_key)
            principal = lookup(body(assignment.declaration), "properties", "principalId")
            if scope is None or principal is None:
                continue
            if is_identity_principal(assignment.bicep, value_of(principal), params):
                grants.setdefault((assignment.bicep.name, text(value_of(scope))), set()).add(role[-1].lower())
    for rule in rules:
        targets = list(instances(infra, rule.resource_type))
        if not targets:
            findings.append(
                next(iter(infra)).finding(
                    None, "roles", f"the app touches a {rule.resource_type} ({rule.why}) but none is declared"
                )
            )
        for target in targets:
            granted = grants.get((target.bicep.name, target.symbol), set())
            for guid, name in rule.roles.items():
                if guid.lower() not in granted:
                    findings.append(
                        _finding(
                            target,
                            "roles",
                            f"{target.symbol} ({rule.resource_type}, {rule.why}): the managed identity has no "
                            f"{name} ({guid}) role assignment on it",
                        )
                    )
    return findings


@dataclass(frozen=True)
class LocalAuthRule:
    """Where a resource type turns key-based auth off: the property path and the value that means off."""

    resource_type: str
    path: tuple[str, ...]
    off: bool


def local_auth_findings(infra: Infra, rules: Sequence[LocalAuthRule]) -> list[Finding]:
    """Resources whose key-based (local) auth is not turned off by a literal."""
    findings: list[Finding] = []
    for rule in rules:
        for instance in instances(infra, rule.resource_type):
            value = instance.value(*rule.path)
            if value is not rule.off:
                setting = ".".join(rule.path)
                shown = "not set" if lookup(body(instance.declaration), *rule.path) is None else f"{value!r}"
                findings.append(
                    _finding(
                        instance,
                        "local-auth",
                        f"{instance.symbol} ({rule.resource_type}) leaves local auth on: {setting} is {shown}, "
                        f"must be {str(rule.off).lower()}",
                        node=instance.node(*rule.path),
                    )
                )
    return findings


SECRET_OUTPUT_NAME = re.compile(r"key|secret|password|connectionstring|sas|token|credential", re.IGNORECASE)
SECRET_EXPRESSION = re.compile(r"\blist\w*\s*\(|\.ConnectionString\b|InstrumentationKey|primaryKey|secondaryKey", re.I)
SECRET_TEXT = re.compile(r"SharedAccessKey|AccountKey=|AccessKey=", re.IGNORECASE)
KEY_RESOURCES = re.compile(r"/authorizationRules$|/listKeys|/keys$", re.IGNORECASE)


def secret_findings(infra: Infra) -> list[Finding]:
    """Keys, SAS and connection strings: `list*()` calls, key literals, key-minting resources, secret outputs."""
    findings: list[Finding] = []
    for bicep in infra:
        for node in walk(bicep.root):
            if node.type == "call_expression":
                function = node.child_by_field_name("function")
                name = text(function.child_by_field_name("property") or function) if function is not None else ""
                if name.split(".")[-1].startswith("list"):
                    findings.append(bicep.finding(node, "secrets", f"{name}() reads keys or secrets"))
            elif node.type == "string_content" and SECRET_TEXT.search(text(node)):
                findings.append(bicep.finding(node, "secrets", f"a key appears in a string: {text(node)[:40]!r}"))
        for symbol, kind, node in bicep.resources():
            if KEY_RESOURCES.search(kind):
                findings.append(bicep.finding(node, "secrets", f"{symbol} ({kind}) mints keys"))
        for name, node in bicep.declarations("output").items():
            value = text(named_children(node)[-1])
            if SECRET_OUTPUT_NAME.search(name) or SECRET_EXPRESSION.search(value):
                findings.append(bicep.finding(node, "secrets", f"output {name} may carry a secret: {value[:60]}"))
    return findings


def _finding(instance: Instance, rule: str, message: str, node: Node | None = None) -> Finding:
    prefix = "" if rule in {"local-auth"} or message.startswith(instance.symbol) else f"{instance.symbol}: "
    return instance.bicep.finding(node or instance.declaration, rule, prefix + message)
