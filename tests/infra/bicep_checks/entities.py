"""Drift rule: every queue, topic, subscription, database and container the app needs is deployed, as specified.

The caller lists what the application uses (from its function bindings, its publisher and its entity list); the
rule evaluates the Service Bus and Cosmos DB resources of the templates (through `loadJsonContent` and loops) and
reports what is missing, what cannot be resolved before deployment, and properties that differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tests.infra.bicep_checks.evaluate import UNKNOWN, UNKNOWN_TEXT
from tests.infra.bicep_checks.resources import Instance, instances
from tests.infra.bicep_checks.syntax import BicepFile, Finding, Infra, body, lookup, text, value_of

EntityKind = Literal["queue", "topic", "subscription", "database", "container"]
RESOURCE_TYPES: dict[EntityKind, str] = {
    "queue": "Microsoft.ServiceBus/namespaces/queues",
    "topic": "Microsoft.ServiceBus/namespaces/topics",
    "subscription": "Microsoft.ServiceBus/namespaces/topics/subscriptions",
    "database": "Microsoft.DocumentDB/databaseAccounts/sqlDatabases",
    "container": "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers",
}
NAME_DEPTH: dict[EntityKind, int] = {"queue": 1, "topic": 1, "subscription": 2, "database": 1, "container": 2}
"""How many trailing name segments identify the entity (`topic/subscription`, `database/container`)."""


@dataclass(frozen=True)
class Entity:
    """Something the application uses that the templates must deploy.

    Attributes:
        kind: What it is.
        name: Its name; `topic/subscription` and `database/container` for children.
        why: Who uses it (printed in findings), e.g. `trigger of function agent_writer`.
        properties: Expected values of the resource's `properties` (ARM names; `a.b` for nested keys), compared
            key by key (Cosmos DB: the values under `properties.resource`).
    """

    kind: EntityKind
    name: str
    why: str
    properties: Mapping[str, Any] = field(default_factory=dict)


def entity_findings(infra: Infra, needed: Iterable[Entity]) -> list[Finding]:
    """Entities the app needs that the templates do not deploy, or deploy with other properties."""
    findings: list[Finding] = []
    deployed: dict[EntityKind, dict[str, Instance]] = {}
    for kind, resource_type in RESOURCE_TYPES.items():
        deployed[kind] = {}
        for instance in instances(infra, resource_type):
            name = _entity_name(infra, instance, NAME_DEPTH[kind])
            if name is None:
                findings.append(
                    instance.bicep.finding(
                        instance.declaration,
                        "entities",
                        f"{instance.symbol} ({resource_type}): its {kind} names cannot be resolved before deployment "
                        "(load them with loadJsonContent or write them as literals)",
                    )
                )
            else:
                deployed[kind][name] = instance
    for entity in needed:
        target = deployed[entity.kind].get(entity.name)
        if target is None:
            findings.append(_missing(infra, entity, deployed[entity.kind]))
            continue
        path = ("properties", "resource") if entity.kind in {"database", "container"} else ("properties",)
        actual = target.value(*path)
        for key, expected in entity.properties.items():
            value = _dig(actual, key.split("."))
            if value != expected:
                findings.append(
                    target.bicep.finding(
                        target.node(*path),
                        "entities",
                        f"{entity.kind} {entity.name!r} ({entity.why}) has {key} = {_show(value)} in "
                        f"{target.symbol}, expected {_show(expected)}",
                    )
                )
    return findings


def _missing(infra: Infra, entity: Entity, deployed: Mapping[str, Instance]) -> Finding:
    message = f"{entity.kind} {entity.name!r} ({entity.why}) is not deployed"
    example = next(iter(deployed.values()), None)
    if example is not None:
        return example.bicep.finding(
            example.declaration, "entities", f"{message} by {example.symbol} (deploys {sorted(deployed)})"
        )
    first = next(iter(infra))
    return first.finding(None, "entities", f"{message}: no {RESOURCE_TYPES[entity.kind]} resource is declared")


def _entity_name(infra: Infra, instance: Instance, depth: int) -> str | None:
    """The last `depth` name segments, following `parent:` for the segments the name itself lacks."""
    segments = _segments(instance.value("name"))
    if segments is None:
        return None
    parent = lookup(body(instance.declaration), "parent")
    while len(segments) < depth and parent is not None:
        symbol = text(value_of(parent))
        owner = _declared(instance.bicep, symbol)
        if owner is None:
            return None
        above = _segments(owner.value("name"))
        if above is None:
            return None
        segments = above + segments
        parent = lookup(body(owner.declaration), "parent")
    tail = segments[-depth:]
    if len(tail) < depth or any(UNKNOWN_TEXT in segment for segment in tail):
        return None
    return "/".join(tail)


def _declared(bicep: BicepFile, symbol: str) -> Instance | None:
    """The resource `symbol` of `bicep` when it is not looped (a looped parent has no single name)."""
    node = bicep.declarations("resource").get(symbol)
    if node is None or node.children[-1].type == "for_statement":
        return None
    return Instance(bicep, symbol, "", node, {})


def _dig(value: Any, path: list[str]) -> Any:
    for key in path:
        value = value.get(key, UNKNOWN) if isinstance(value, dict) else UNKNOWN
    return value


def _segments(name: Any) -> list[str] | None:
    return name.split("/") if isinstance(name, str) else None


def _show(value: Any) -> str:
    return "<unknown before deployment>" if value is UNKNOWN else repr(value)
