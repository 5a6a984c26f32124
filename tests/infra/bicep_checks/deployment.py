"""Rules for what fails only while ARM deploys: principal types, Cosmos DB write races, conditional references,
preview API versions, and a workbook with nothing to query.

Each reports `file:line` findings like the other checks, so a template that compiles can still be shown wrong here.
"""

from __future__ import annotations

from tree_sitter import Node

from tests.infra.bicep_checks.resources import identity_params, instances, is_identity_principal
from tests.infra.bicep_checks.syntax import (
    Finding,
    Infra,
    api_version,
    body,
    is_existing,
    lookup,
    named_children,
    properties,
    string_literal,
    text,
    value_of,
    walk,
)

ROLE_ASSIGNMENT = "Microsoft.Authorization/roleAssignments"
COSMOS_ROLE_ASSIGNMENT = "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments"
COSMOS_CONTAINER = "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers"
COSMOS_DATABASE = "Microsoft.DocumentDB/databaseAccounts/sqlDatabases"
WORKBOOK = "Microsoft.Insights/workbooks"


def principal_type_findings(infra: Infra) -> list[Finding]:
    """Role assignments whose `principalType` cannot match who deploys.

    The managed identity is always a `ServicePrincipal`. Any other principal (the person or the CI pipeline running
    the deployment) must get its type from a parameter that every caller passes on: ARM rejects an assignment whose
    type differs from the principal's (`UnmatchedPrincipalType`), so a fixed `User` breaks every service principal.
    """
    identities = identity_params(infra)
    findings: list[Finding] = []
    needed: set[tuple[str, str]] = set()  # (file, param) that every caller must pass
    seen: set[tuple[str, str]] = set()
    for assignment in instances(infra, ROLE_ASSIGNMENT):
        key = (assignment.bicep.name, assignment.symbol)
        principal = lookup(body(assignment.declaration), "properties", "principalId")
        if key in seen or principal is None:
            continue
        seen.add(key)
        declared = lookup(body(assignment.declaration), "properties", "principalType")
        value = value_of(declared) if declared is not None else None
        where = declared or assignment.declaration
        if is_identity_principal(assignment.bicep, value_of(principal), identities):
            if string_literal(value) != "ServicePrincipal":
                findings.append(
                    assignment.bicep.finding(
                        where,
                        "principal-type",
                        f"{assignment.symbol}: the managed identity's principalType must be 'ServicePrincipal', "
                        f"not {text(value) if value is not None else 'unset'}",
                    )
                )
        elif value is None or value.type != "identifier" or text(value) not in assignment.bicep.declarations("param"):
            shown = text(value) if value is not None else "unset"
            findings.append(
                assignment.bicep.finding(
                    where,
                    "principal-type",
                    f"{assignment.symbol}: principalType of {text(value_of(principal))} is {shown}; it must be a "
                    "parameter (User for a person, ServicePrincipal for CI), or ARM answers UnmatchedPrincipalType",
                )
            )
        else:
            needed.add((assignment.bicep.name, text(value)))
    for bicep in infra:
        callers_params = bicep.declarations("param")
        for symbol, path, node in bicep.modules():
            target = infra.file(path)
            if target is None:
                continue
            given = lookup(body(node), "params")
            passed = properties(value_of(given)) if given is not None and value_of(given).type == "object" else {}
            for file, param in sorted(needed):
                if file != target.name:
                    continue
                value = value_of(passed[param]) if param in passed else None
                if value is None or value.type != "identifier" or text(value) not in callers_params:
                    findings.append(
                        bicep.finding(
                            passed.get(param, node),
                            "principal-type",
                            f"module {symbol} does not pass a principal-type parameter to {target.name}'s {param}: "
                            "a service principal deploying gets UnmatchedPrincipalType",
                        )
                    )
    return findings


def cosmos_assignment_order_findings(infra: Infra) -> list[Finding]:
    """Cosmos DB role assignments that can run alongside the containers' creation or each other.

    Cosmos DB allows one control-plane write per account at a time and answers 412 ("exclusive lock") to the others,
    so every `sqlRoleAssignments` must depend on the file's containers (or its databases when it has none) and on the
    assignment declared before it.
    """
    findings: list[Finding] = []
    for bicep in infra:
        declared = [(s, k, n) for s, k, n in bicep.resources() if not is_existing(n)]
        assignments = [(s, n) for s, k, n in declared if k.lower() == COSMOS_ROLE_ASSIGNMENT.lower()]
        containers = [s for s, k, _ in declared if k.lower() == COSMOS_CONTAINER.lower()]
        waits_for = containers or [s for s, k, _ in declared if k.lower() == COSMOS_DATABASE.lower()]
        previous: str | None = None
        for symbol, node in assignments:
            depends = lookup(body(node), "dependsOn")
            listed = {text(item) for item in named_children(value_of(depends))} if depends is not None else set()
            missing = [s for s in [*waits_for, *([previous] if previous else [])] if s not in listed]
            if missing:
                findings.append(
                    bicep.finding(
                        node,
                        "cosmos-order",
                        f"{symbol} does not depend on {', '.join(missing)}: Cosmos DB answers 412 (exclusive lock) "
                        "to a role assignment racing another write on the account",
                    )
                )
            previous = symbol
    return findings


def conditional_access_findings(infra: Infra) -> list[Finding]:
    """Properties of conditional resources and modules read without `.?` and a `??` fallback.

    A resource or module declared with `if (...)` is null when the condition is false; a plain `x.outputs.y` or
    `x.id` on it fails template validation then, and `x.?outputs.y` alone yields null where a value is expected.
    """
    findings: list[Finding] = []
    for bicep in infra:
        conditional = {
            symbol
            for kind in ("resource", "module")
            for symbol, node in bicep.declarations(kind).items()
            if node.children[-1].type == "if_statement"
        }
        for node in walk(bicep.root):
            if node.type != "member_expression":
                continue
            target = node.child_by_field_name("object") or named_children(node)[0]
            if target.type != "identifier" or text(target) not in conditional:
                continue
            chain = _outermost_access(node)
            if not any(child.type == ".?" for child in node.children):
                message = f"{text(chain)} reads {text(target)}, which is deployed only when its condition holds"
                findings.append(bicep.finding(node, "conditional", f"{message}: write {text(target)}.?… ?? <fallback>"))
            elif not _coalesced(chain):
                findings.append(
                    bicep.finding(
                        node,
                        "conditional",
                        f"{text(chain)} is null when {text(target)} is not deployed: give it a fallback with ??",
                    )
                )
    return findings


def _outermost_access(node: Node) -> Node:
    """The whole `a.?b.c[0]` chain a member access is the start of."""
    while node.parent is not None and node.parent.type in {"member_expression", "subscript_expression"}:
        owner = node.parent.child_by_field_name("object") or named_children(node.parent)[0]
        if (owner.start_byte, owner.end_byte) != (node.start_byte, node.end_byte):
            break
        node = node.parent
    return node


def _coalesced(node: Node) -> bool:
    parent = node.parent
    if parent is None or parent.type != "binary_expression":
        return False
    operator = next((text(child) for child in parent.children if not child.is_named), "")
    left = named_children(parent)[0]
    return operator == "??" and (left.start_byte, left.end_byte) == (node.start_byte, node.end_byte)


def preview_api_findings(infra: Infra) -> list[Finding]:
    """Resources declared with a preview API version (a GA version exists for every type these templates use)."""
    return [
        bicep.finding(node, "api-version", f"{symbol} ({kind}) uses preview API version {api_version(node)}")
        for bicep in infra
        for symbol, kind, node in bicep.resources()
        if api_version(node).lower().endswith("-preview")
    ]


def workbook_fallback_findings(infra: Infra) -> list[Finding]:
    """Workbooks whose content does not name their own component in `fallbackResourceIds`.

    A workbook opened from the Workbooks gallery rather than from its component queries its fallback resources; with
    none, every panel asks the reader to pick a resource first.
    """
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for workbook in instances(infra, WORKBOOK):
        if (workbook.bicep.name, workbook.symbol) in seen:
            continue
        seen.add((workbook.bicep.name, workbook.symbol))
        source = lookup(body(workbook.declaration), "properties", "sourceId")
        data = lookup(body(workbook.declaration), "properties", "serializedData")
        listed = {
            text(item)
            for node in (walk(value_of(data)) if data is not None else [])
            if node.type == "object_property" and text(named_children(node)[0]) == "fallbackResourceIds"
            for item in named_children(value_of(node))
        }
        if source is None or text(value_of(source)) not in listed:
            shown = text(value_of(source)) if source is not None else "no sourceId"
            findings.append(
                workbook.bicep.finding(
                    data or workbook.declaration,
                    "workbook",
                    f"{workbook.symbol}: serializedData has no fallbackResourceIds with its sourceId ({shown}); "
                    "opened from the Workbooks gallery its panels have no resource to query",
                )
            )
    return findings
