"""Deployed resources with their loop iterations expanded, and who the deployment's managed identity is."""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tree_sitter import Node

from tests.infra.bicep_checks.evaluate import UNKNOWN, Evaluator, Scope
from tests.infra.bicep_checks.syntax import BicepFile, Infra, body, is_existing, lookup, properties, text, value_of

IDENTITY_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities"
PRINCIPAL_OUTPUT = re.compile(r"^(\w+)\.outputs\.principalId$")


@dataclass(frozen=True)
class Instance:
    """One deployed resource: a declaration, or one iteration of a looped declaration."""

    bicep: BicepFile
    symbol: str
    kind: str
    declaration: Node
    scope: Scope | None
    """Loop variables of this iteration; None when the loop's array is unknown before deployment."""

    def value(self, *path: str) -> Any:
        """The evaluated value at `path` of the resource body (UNKNOWN when absent or not knowable)."""
        prop = lookup(body(self.declaration), *path)
        if prop is None or self.scope is None:
            return UNKNOWN
        return evaluator(self.bicep).value(value_of(prop), self.scope)

    def node(self, *path: str) -> Node:
        """The property at `path`, or the declaration when it is absent (for the line of a finding)."""
        return lookup(body(self.declaration), *path) or self.declaration


_EVALUATORS: weakref.WeakKeyDictionary[BicepFile, Evaluator] = weakref.WeakKeyDictionary()


def evaluator(bicep: BicepFile) -> Evaluator:
    """The evaluator of a file (one per parsed file, so variables are evaluated once)."""
    if bicep not in _EVALUATORS:
        _EVALUATORS[bicep] = Evaluator(bicep)
    return _EVALUATORS[bicep]


def instances(infra: Infra, kind: str) -> Iterator[Instance]:
    """Every deployed (not `existing`) resource of exactly this type, loops expanded."""
    for bicep in infra:
        for symbol, declared, node in bicep.resources(kind):
            if declared.lower() != kind.lower() or is_existing(node):
                continue
            loop = node.children[-1]
            if loop.type != "for_statement":
                yield Instance(bicep, symbol, declared, node, {})
                continue
            iterations = evaluator(bicep).iterations(loop, {})
            for scope in iterations if iterations is not None else [None]:
                yield Instance(bicep, symbol, declared, node, scope)


def identity_params(infra: Infra) -> set[tuple[str, str]]:
    """(file name, param) pairs that every caller fills with the user-assigned identity's principal id."""
    identity_files = {
        bicep.path for bicep in infra if any(not is_existing(n) for _, _, n in bicep.resources(IDENTITY_TYPE))
    }
    passed: dict[tuple[str, str], list[tuple[str, str, str | None]]] = {}  # → (caller, value, identity module)
    for bicep in infra:
        modules = {symbol: path for symbol, path, _ in bicep.modules()}
        for _, path, node in bicep.modules():
            target = infra.file(path)
            given = lookup(body(node), "params")
            if target is None or given is None or value_of(given).type != "object":
                continue
            for name, prop in properties(value_of(given)).items():
                source = text(value_of(prop))
                match = PRINCIPAL_OUTPUT.match(source)
                module = match.group(1) if match is not None and modules.get(match.group(1)) in identity_files else None
                passed.setdefault((target.name, name), []).append((bicep.name, source, module))
    found: set[tuple[str, str]] = set()
    changed = True
    while changed:  # a module may hand its own identity param on to a nested module
        changed = False
        for key, callers in passed.items():
            if key not in found and all(m is not None or (c, v) in found for c, v, m in callers):
                found.add(key)
                changed = True
    return found


def is_identity_principal(bicep: BicepFile, node: Node, params: set[tuple[str, str]]) -> bool:
    """Whether a `principalId` value is the deployment's user-assigned identity."""
    source = text(node)
    if node.type == "identifier":
        return (bicep.name, source) in params
    owner = source.removesuffix(".properties.principalId")
    identities = {symbol for symbol, _, n in bicep.resources(IDENTITY_TYPE)}
    return owner != source and owner in identities
