"""Agent memory in the templates: the container CosmosVectorMemory searches, the account capabilities it needs, and
one vector length for the container and the embedding model.

The expected policies are not written here: the caller passes the function the code itself uses to create a memory
container locally (`switchboard.memory.vector_policy.container_policies`), and this check feeds it the dimensions,
distance and index type the template declares, so the two can only agree by building the same container.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from tree_sitter import Node

from tests.infra.bicep_checks.resources import evaluator, instances
from tests.infra.bicep_checks.syntax import BicepFile, Finding, Infra, body, lookup, named_children, text, value_of

ACCOUNT = "Microsoft.DocumentDB/databaseAccounts"
CONTAINER = "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers"
POLICIES = ("vectorEmbeddingPolicy", "indexingPolicy", "fullTextPolicy")
"""The container properties `container_policies` returns, in its order."""
DIMENSION_PARAMS = (("cosmos.bicep", "memoryDimensions"), ("functionapp.bicep", "embeddingDimensions"))
"""The module parameters that must receive the same vector length: the container's and the embedding model's."""

PolicyBuilder = Callable[[int, Any, Any], tuple[dict[str, Any], ...]]


def memory_findings(
    infra: Infra, policies: PolicyBuilder, partition_key: str, capabilities: Collection[str]
) -> list[Finding]:
    """Where a deployed memory container would not be the one the code searches.

    Args:
        infra: The templates.
        policies: `(dimensions, distance, index type) → (vector embedding, indexing, full-text policy)`, the code's.
        partition_key: The container's partition key path (`/scope`).
        capabilities: The account capabilities a memory container needs.
    """
    findings: list[Finding] = []
    memory_files = 0
    for bicep in infra:
        containers = [
            (symbol, node)
            for symbol, kind, node in bicep.resources(CONTAINER)
            if kind == CONTAINER and lookup(body(node), "properties", "resource", "vectorEmbeddingPolicy") is not None
        ]
        memory_files += bool(containers)
        for symbol, node in containers:
            findings += _container_findings(bicep, symbol, node, policies, partition_key)
        if containers:
            findings += _capability_findings(infra, bicep, containers[0][1], capabilities)
    if not memory_files:
        findings.append(next(iter(infra)).finding(None, "memory", f"no {CONTAINER} has a vectorEmbeddingPolicy"))
    return [*findings, *_dimension_findings(infra)]


def _defaults(bicep: BicepFile) -> dict[str, Any]:
    """Each parameter with a default → its value (the values a deployment without overrides uses)."""
    values: dict[str, Any] = {}
    for name, declaration in bicep.declarations("param").items():
        if declaration.children[-2].type == "=":
            values[name] = evaluator(bicep).value(declaration.children[-1], {})
    return values


def _container_findings(
    bicep: BicepFile, symbol: str, node: Node, policies: PolicyBuilder, partition_key: str
) -> list[Finding]:
    scope = _defaults(bicep)
    resource = lookup(body(node), "properties", "resource")
    assert resource is not None
    declared = {name: _value(bicep, resource, scope, name) for name in POLICIES}
    findings: list[Finding] = []
    if node.children[-1].type != "if_statement":
        findings.append(bicep.finding(node, "memory", f"{symbol} must be optional (an `if`): not every app has memory"))
    paths = _value(bicep, resource, scope, "partitionKey", "paths")
    if paths != [partition_key]:
        declared_paths = lookup(value_of(resource), "partitionKey", "paths")
        items = named_children(value_of(declared_paths)) if declared_paths is not None else []
        where = items[0] if items else declared_paths or resource
        findings.append(
            bicep.finding(where, "memory", f"{symbol}: partition key {paths!r}, must be [{partition_key!r}]")
        )
    try:
        (embedding,) = declared["vectorEmbeddingPolicy"]["vectorEmbeddings"]
        (index,) = declared["indexingPolicy"]["vectorIndexes"]
        expected = policies(embedding["dimensions"], embedding["distanceFunction"], index["type"])
    except Exception as error:  # any shape or value the code would refuse
        where = lookup(value_of(resource), "vectorEmbeddingPolicy") or resource
        return [
            *findings,
            bicep.finding(where, "memory", f"{symbol}: not a memory container the code accepts: {error}"),
        ]
    for name, wanted in zip(POLICIES, expected, strict=True):
        if declared[name] != wanted:
            where = lookup(value_of(resource), name) or resource
            findings.append(
                bicep.finding(
                    where,
                    "memory",
                    f"{symbol}: {name} is {declared[name]!r}, but CosmosVectorMemory creates {wanted!r}",
                )
            )
    return findings


def _value(bicep: BicepFile, resource: Node, scope: Mapping[str, Any], *path: str) -> Any:
    prop = lookup(value_of(resource), *path)
    return None if prop is None else evaluator(bicep).value(value_of(prop), scope)


def _capability_findings(infra: Infra, bicep: BicepFile, container: Node, wanted: Collection[str]) -> list[Finding]:
    findings: list[Finding] = []
    accounts = [account for account in instances(infra, ACCOUNT) if account.bicep is bicep]
    for account in accounts:
        declared = account.value("properties", "capabilities")
        names = {c.get("name") for c in declared if isinstance(c, dict)} if isinstance(declared, list) else set()
        missing = [name for name in wanted if name not in names]
        if missing:
            findings.append(
                bicep.finding(
                    account.node("properties", "capabilities"),
                    "memory",
                    f"{account.symbol}: capabilities lack {', '.join(missing)}, which the memory container's "
                    "vector and full-text policies need",
                )
            )
    if not accounts:
        findings.append(bicep.finding(container, "memory", f"the memory container's {ACCOUNT} is not in this file"))
    return findings


def _dimension_findings(infra: Infra) -> list[Finding]:
    findings: list[Finding] = []
    for bicep in infra:
        passed: dict[str, tuple[str, Node]] = {}
        for _symbol, target, module in bicep.modules():
            for file_name, param in DIMENSION_PARAMS:
                given = lookup(body(module), "params", param) if target.name == file_name else None
                if given is not None:
                    passed[f"{file_name}:{param}"] = (text(value_of(given)), given)
        if len(passed) == 1 or len({source for source, _ in passed.values()}) > 1:
            (_, node) = next(iter(passed.values()))
            shown = ", ".join(f"{where} = {source}" for where, (source, _) in passed.items())
            findings.append(
                bicep.finding(
                    node,
                    "memory",
                    f"the memory container and the embedding model must get one vector length: {shown} "
                    f"(both of {', '.join(f'{f}:{p}' for f, p in DIMENSION_PARAMS)} from the same value)",
                )
            )
    return findings
